"""The built-in networks, one module or small package each, registered through the
``smmgen.channels`` entry points exactly as a third-party network is."""
