"""Publishing: due variants go out once each, recorded in the ledger.

The pipeline's last stage. :mod:`.engine` decides what is due and drives one
worker per channel; :mod:`.ledger` keeps the append-only record that makes
publishing exactly-once; :mod:`.drivers` talk to the networks through
:mod:`.http`, which classifies every fault as safe to retry, permanent, or
of unknown outcome (:mod:`.errors`).
"""
