/* SO_ORIGINAL_DST and IP_TRANSPARENT for Node sockets: what iptables REDIRECT/TPROXY
 * interception needs and Node cannot do (getsockopt with a sockaddr result). */
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static napi_value throw_errno(napi_env env, const char *what) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s: %s (%d)", what, strerror(errno), errno);
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int fd_arg(napi_env env, napi_callback_info info, int32_t *out, int32_t *extra) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return -1;
  if (napi_get_value_int32(env, argv[0], out) != napi_ok) return -1;
  if (extra && (argc < 2 || napi_get_value_int32(env, argv[1], extra) != napi_ok)) return -1;
  return 0;
}

/* getOriginalDst(fd) -> { address, port, family } (IPv4 first, then IPv6). */
static napi_value get_original_dst(napi_env env, napi_callback_info info) {
  int32_t fd;
  if (fd_arg(env, info, &fd, NULL) != 0) {
    napi_throw_type_error(env, NULL, "getOriginalDst(fd): fd must be an integer");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char host[INET6_ADDRSTRLEN];
  int port, family;
  memset(&ss, 0, sizeof ss);
  if (getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &ss, &len) == 0) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
    port = ntohs(sin->sin_port);
    family = 4;
  } else {
    len = sizeof ss;
    if (getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss, &len) != 0)
      return throw_errno(env, "getsockopt(SO_ORIGINAL_DST)");
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
    port = ntohs(sin6->sin6_port);
    family = 6;
  }
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "address", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, obj, "port", v);
  napi_create_int32(env, family, &v);
  napi_set_named_property(env, obj, "family", v);
  return obj;
}

/* setTransparent(fd, on): IP_TRANSPARENT for TPROXY listeners (needs CAP_NET_ADMIN). */
static napi_value set_transparent(napi_env env, napi_callback_info info) {
  int32_t fd, on;
  if (fd_arg(env, info, &fd, &on) != 0) {
    napi_throw_type_error(env, NULL, "setTransparent(fd, on): integers expected");
    return NULL;
  }
  int v = on ? 1 : 0;
  if (setsockopt(fd, SOL_IP, IP_TRANSPARENT, &v, sizeof v) != 0)
    return throw_errno(env, "setsockopt(IP_TRANSPARENT)");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"getOriginalDst", NULL, get_original_dst, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTransparent", NULL, set_transparent, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
