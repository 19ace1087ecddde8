"""Early warning (SPEC §9, QCO 四(三)): models of the early-warning engineer, imported at the end
of :mod:`qcredit.supervision.models`. Empty until that part is built."""
