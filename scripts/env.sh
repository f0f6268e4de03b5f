# Sourced by the scripts: what Open MPI needs here. Root runs need the two
# ALLOW variables; more ranks than cores need oversubscription; one BLAS
# thread per MPI process keeps ranks from fighting over cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
