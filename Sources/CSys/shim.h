/* What SwiftGlibc (built without _GNU_SOURCE) lacks: epoll, eventfd, accept4, TCP_NODELAY. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
