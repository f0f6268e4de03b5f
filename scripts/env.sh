# Sourced by the scripts: what Open MPI needs here. Root runs need the two
# ALLOW variables; more ranks than cores need oversubscription; one BLAS
# thread per MPI process keeps ranks from fighting over cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
# Each script that sources this has its own temporary directory, removed on
# exit, and so its own Open MPI session directory: two mpirun of one user
# starting at once in a shared /tmp/ompi.HOST.UID can collide (a script
# started while another runs; docs/architecture.md, Tests). A script with
# an EXIT trap of its own removes $BN_PRIVATE_TMP there.
BN_PRIVATE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bn.XXXXXX")
export TMPDIR="$BN_PRIVATE_TMP"
trap 'rm -rf "$BN_PRIVATE_TMP"' EXIT
