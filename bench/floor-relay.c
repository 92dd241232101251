// The floor under any userspace tunnel's latency on this machine: one thread that sleeps in
// epoll_wait on a TUN device and a UDP socket, sends what the TUN device gives as one datagram
// to the other end, and writes what the socket gives to the TUN device. No encryption, no
// protocol, no batching, no offloads: what is left of a round trip is the wake-ups and system
// calls every tunnel that sleeps between packets pays. bench/latency-bench.sh runs it as the
// "floor" path, beside Taltun and wireguard-go; bench/echo-trace.sh traces it beside Taltun.
//
//   floor-relay TUN-NAME LOCAL-PORT PEER-IPV4 PEER-PORT     (root or CAP_NET_ADMIN; runs until killed)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { FROM_TUN = 1, FROM_SOCKET = 2 };

static int fail(const char *what)
{
    perror(what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: floor-relay TUN-NAME LOCAL-PORT PEER-IPV4 PEER-PORT\n");
        return 2;
    }

    int tun = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    struct ifreq request = { .ifr_flags = IFF_TUN | IFF_NO_PI };
    strncpy(request.ifr_name, argv[1], IFNAMSIZ - 1);
    if (tun < 0 || ioctl(tun, TUNSETIFF, &request) < 0)
        return fail("TUN device");

    struct sockaddr_in local = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[4])) };
    if (inet_pton(AF_INET, argv[3], &peer.sin_addr) != 1) {
        fprintf(stderr, "floor-relay: '%s' is not an IPv4 address\n", argv[3]);
        return 2;
    }

    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (udp < 0 || bind(udp, (struct sockaddr *)&local, sizeof local) < 0)
        return fail("UDP socket");

    int epoll = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event watch = { .events = EPOLLIN, .data.u32 = FROM_TUN };
    if (epoll < 0 || epoll_ctl(epoll, EPOLL_CTL_ADD, tun, &watch) < 0)
        return fail("epoll");
    watch.data.u32 = FROM_SOCKET;
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, udp, &watch) < 0)
        return fail("epoll");

    static char packet[65536];
    for (;;) {
        struct epoll_event ready[2];
        int count = epoll_wait(epoll, ready, 2, -1);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return fail("epoll_wait");
        }

        // As a tunnel's loop does: serve what is ready, read the TUN device again after writing
        // to it (the reply to a packet just written is usually waiting there already), and look
        // at both sides once more after anything moved, before sleeping again.
        int socket_ready = 0, tun_ready = 0;
        for (int i = 0; i < count; i++) {
            socket_ready |= ready[i].data.u32 == FROM_SOCKET;
            tun_ready |= ready[i].data.u32 == FROM_TUN;
        }
        while (socket_ready || tun_ready) {
            int wrote = 0, sent = 0;
            ssize_t length;
            while (socket_ready && (length = recv(udp, packet, sizeof packet, 0)) > 0) {
                (void)write(tun, packet, length);  // a refused packet is dropped, as a tunnel drops it
                wrote = 1;
            }
            while ((tun_ready || wrote) && (length = read(tun, packet, sizeof packet)) > 0) {
                (void)sendto(udp, packet, length, 0, (struct sockaddr *)&peer, sizeof peer);  // full buffer: dropped, as UDP does
                sent = 1;
            }
            socket_ready = tun_ready = wrote || sent;
        }
    }
}
