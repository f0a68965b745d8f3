/* bench/amqp's diagnostic, never part of virtbusd: preloaded into the daemon, it turns on
 * TCP_NODELAY on every TCP socket the daemon accepts, to show what that alone changes. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void set_nodelay(int fd)
{
    int one = 1;

    if (fd >= 0)
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails harmlessly on AF_UNIX */
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
    static int (*real)(int, struct sockaddr *, socklen_t *, int);
    int client;

    if (!real)
        real = (int (*)(int, struct sockaddr *, socklen_t *, int)) dlsym(RTLD_NEXT, "accept4");
    client = real(fd, addr, len, flags);
    set_nodelay(client);
    return client;
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    return accept4(fd, addr, len, 0);
}
