"""Publishing drivers of the built-in networks, one module each (see ``smmgen.publish.driver``)."""
