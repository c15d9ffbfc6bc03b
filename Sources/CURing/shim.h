/* A glibc header must come first: liburing.h defines _GNU_SOURCE/_XOPEN_SOURCE, and if it is
   the first header this module gets its own fd_set, which clashes with SwiftGlibc's. */
#include <sys/types.h>
#include <sys/socket.h>
#include <liburing.h>
