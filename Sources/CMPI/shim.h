/* Open MPI's mpi.h, for its types and constants only: no `link` directive, so nothing links
   libmpi. Train opens libmpi.so.40 with dlopen when a job runs under mpirun, and a one-host
   binary starts where Open MPI is not installed.
   Debian's libopenmpi-dev installs the header through the `mpi-<triplet>` alternative as
   /usr/include/<triplet>/mpi/mpi.h; <triplet> is on the compiler's default include path. */
#include <mpi/mpi.h>

/* The entry points Train resolves with dlsym, typed from their own declarations so the
   Swift side cannot drift from mpi.h. */
typedef __typeof__(&MPI_Init_thread) CMPI_Init_thread;
typedef __typeof__(&MPI_Initialized) CMPI_Initialized;
typedef __typeof__(&MPI_Finalize) CMPI_Finalize;
typedef __typeof__(&MPI_Abort) CMPI_Abort;
typedef __typeof__(&MPI_Comm_rank) CMPI_Comm_rank;
typedef __typeof__(&MPI_Comm_size) CMPI_Comm_size;
typedef __typeof__(&MPI_Allreduce) CMPI_Allreduce;
typedef __typeof__(&MPI_Reduce_scatter) CMPI_Reduce_scatter;
typedef __typeof__(&MPI_Allgather) CMPI_Allgather;
typedef __typeof__(&MPI_Allgatherv) CMPI_Allgatherv;
typedef __typeof__(&MPI_Error_string) CMPI_Error_string;

/* mpi.h spells these as casts Swift does not import. */
static const int CMPI_SUCCESS = MPI_SUCCESS;
static const int CMPI_THREAD_SERIALIZED = MPI_THREAD_SERIALIZED;
static const int CMPI_MAX_ERROR_STRING = MPI_MAX_ERROR_STRING;
static inline void *CMPI_in_place(void) { return MPI_IN_PLACE; }
