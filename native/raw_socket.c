/*
 * hadhcpd raw socket addon: a thin, protocol-agnostic layer over a few Linux socket system
 * calls, for what node cannot do itself (AF_PACKET, raw IPv4 / ICMP sockets, classic BPF,
 * recvmsg with ancillary data). Frames, checksums and every protocol decision live in
 * TypeScript (src/protocol/l2, src/io); nothing about DHCP, VRRP or ICMP is known here.
 *
 * JS API (see src/io/native.ts for the typed wrapper):
 *   socket(domain, type, protocol) -> handle      always SOCK_NONBLOCK | SOCK_CLOEXEC
 *   setsockopt(handle, level, name, int | Buffer)
 *   attachFilter(handle, Buffer of struct sock_filter[])
 *   bind(handle, Buffer sockaddr)
 *   sendto(handle, Buffer data, Buffer sockaddr | undefined) -> bytes sent
 *   recvStart(handle, cb(err, data, sockaddr, control)) / recvStop(handle)
 *   ref(handle) / unref(handle) / close(handle)
 *   ifinfo(name) -> { index, mac }
 *
 * Errors are thrown (or passed to the callback) as Error objects with `errno` (positive
 * number) and `syscall`; the JS wrapper adds the symbolic `code`.
 *
 * Lifetime: a handle is freed when both the JS external has been finalized and libuv has
 * finished closing the poll handle (if one was started).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

/* Datagrams read per wake-up at most, so one busy socket cannot starve the event loop. */
#define RECV_BATCH 64
#define RECV_BUFFER 65536
#define CONTROL_BUFFER 512

typedef struct {
  int fd;
  int polling;      /* uv_poll started */
  int poll_inited;  /* uv_poll_init done; uv_close needed before free */
  int closing;      /* uv_close issued */
  int finalized;    /* JS external gone */
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
  uv_poll_t poll;
  unsigned char data[RECV_BUFFER];
  unsigned char control[CONTROL_BUFFER];
  struct sockaddr_storage from;
} raw_handle;

/* ---- helpers ----------------------------------------------------------------------------- */

#define CHECK(env, call)                                       \
  do {                                                         \
    if ((call) != napi_ok) {                                   \
      napi_throw_error((env), NULL, "N-API call failed: " #call); \
      return NULL;                                             \
    }                                                          \
  } while (0)

static napi_value make_errno_error(napi_env env, const char *syscall, int err) {
  char message[160];
  napi_value msg, error, num, sys;
  snprintf(message, sizeof message, "%s: %s", syscall, strerror(err));
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sys);
  napi_set_named_property(env, error, "syscall", sys);
  return error;
}

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, make_errno_error(env, syscall, err));
  return NULL;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "not enough arguments");
    return 0;
  }
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an integer");
    return 0;
  }
  return 1;
}

static int get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  napi_is_buffer(env, v, &is_buffer);
  if (!is_buffer || napi_get_buffer_info(env, v, data, len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a Buffer");
    return 0;
  }
  return 1;
}

static raw_handle *get_handle(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "expected a socket handle");
    return NULL;
  }
  raw_handle *h = p;
  if (h->fd < 0) {
    napi_throw(env, make_errno_error(env, "handle", EBADF));
    return NULL;
  }
  return h;
}

static void maybe_free(raw_handle *h) {
  if (h->finalized && (!h->poll_inited || h->closing == 2)) free(h);
}

static void on_poll_closed(uv_handle_t *handle) {
  raw_handle *h = handle->data;
  h->closing = 2;
  maybe_free(h);
}

static void release_callback(raw_handle *h) {
  if (h->callback != NULL) {
    napi_delete_reference(h->env, h->callback);
    h->callback = NULL;
  }
  if (h->async_context != NULL) {
    napi_async_destroy(h->env, h->async_context);
    h->async_context = NULL;
  }
}

/* Stops polling, closes the fd; safe to call twice. */
static void shutdown_handle(raw_handle *h) {
  if (h->polling) {
    uv_poll_stop(&h->poll);
    h->polling = 0;
  }
  if (h->poll_inited && h->closing == 0) {
    h->closing = 1;
    uv_close((uv_handle_t *)&h->poll, on_poll_closed);
  }
  if (h->fd >= 0) {
    close(h->fd);
    h->fd = -1;
  }
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  raw_handle *h = data;
  release_callback(h);
  shutdown_handle(h);
  h->finalized = 1;
  maybe_free(h);
}

/* ---- socket / options / bind ------------------------------------------------------------- */

static napi_value js_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  int32_t domain, type, proto;
  if (!get_args(env, info, 3, argv)) return NULL;
  if (!get_int(env, argv[0], &domain) || !get_int(env, argv[1], &type) || !get_int(env, argv[2], &proto)) return NULL;
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
  if (fd < 0) return throw_errno(env, "socket", errno);
  raw_handle *h = calloc(1, sizeof *h);
  if (h == NULL) {
    close(fd);
    return throw_errno(env, "socket", ENOMEM);
  }
  h->fd = fd;
  h->env = env;
  if (napi_create_external(env, h, finalize_handle, NULL, &result) != napi_ok) {
    close(fd);
    free(h);
    napi_throw_error(env, NULL, "napi_create_external failed");
    return NULL;
  }
  return result;
}

static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t level, name;
  napi_valuetype kind;
  if (!get_args(env, info, 4, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (!get_int(env, argv[1], &level) || !get_int(env, argv[2], &name)) return NULL;
  CHECK(env, napi_typeof(env, argv[3], &kind));
  int rc;
  if (kind == napi_number) {
    int32_t value;
    if (!get_int(env, argv[3], &value)) return NULL;
    int v = value;
    rc = setsockopt(h->fd, level, name, &v, sizeof v);
  } else {
    void *data;
    size_t len;
    if (!get_buffer(env, argv[3], &data, &len)) return NULL;
    rc = setsockopt(h->fd, level, name, data, (socklen_t)len);
  }
  if (rc < 0) return throw_errno(env, "setsockopt", errno);
  return NULL;
}

static napi_value js_attach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (!get_buffer(env, argv[1], &data, &len)) return NULL;
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
    napi_throw_range_error(env, NULL, "filter must be 1..4096 sock_filter entries of 8 bytes");
    return NULL;
  }
  struct sock_fprog prog;
  prog.len = (unsigned short)(len / sizeof(struct sock_filter));
  prog.filter = data;
  if (setsockopt(h->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return throw_errno(env, "setsockopt(SO_ATTACH_FILTER)", errno);
  return NULL;
}

static napi_value js_bind(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  void *data;
  size_t len;
  if (!get_args(env, info, 2, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (!get_buffer(env, argv[1], &data, &len)) return NULL;
  if (bind(h->fd, (const struct sockaddr *)data, (socklen_t)len) < 0) return throw_errno(env, "bind", errno);
  return NULL;
}

static napi_value js_sendto(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  size_t argc = 3;
  void *data, *addr = NULL;
  size_t len, addrlen = 0;
  napi_valuetype kind = napi_undefined;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "not enough arguments");
    return NULL;
  }
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (!get_buffer(env, argv[1], &data, &len)) return NULL;
  if (argc >= 3) CHECK(env, napi_typeof(env, argv[2], &kind));
  if (kind != napi_undefined && kind != napi_null) {
    if (!get_buffer(env, argv[2], &addr, &addrlen)) return NULL;
  }
  ssize_t n = sendto(h->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)addr, (socklen_t)addrlen);
  if (n < 0) return throw_errno(env, "sendto", errno);
  CHECK(env, napi_create_int64(env, (int64_t)n, &result));
  return result;
}

/* ---- receive ----------------------------------------------------------------------------- */

static void deliver(raw_handle *h, napi_value err, napi_value data, napi_value addr, napi_value control) {
  napi_env env = h->env;
  napi_value cb, global, result, argv[4];
  if (h->callback == NULL) return;
  if (napi_get_reference_value(env, h->callback, &cb) != napi_ok || cb == NULL) return;
  /* A real receiver: napi_make_callback with `undefined` as `this` fails in node's callback scope. */
  napi_get_global(env, &global);
  napi_get_undefined(env, &argv[0]);
  argv[1] = argv[2] = argv[3] = argv[0];
  if (err != NULL) argv[0] = err;
  if (data != NULL) argv[1] = data;
  if (addr != NULL) argv[2] = addr;
  if (control != NULL) argv[3] = control;
  if (napi_make_callback(env, h->async_context, global, cb, 4, argv, &result) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
}

static void on_readable(uv_poll_t *poll, int status, int events) {
  raw_handle *h = poll->data;
  napi_env env = h->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (status < 0) {
    deliver(h, make_errno_error(env, "uv_poll", -status), NULL, NULL, NULL);
  } else if (events & UV_READABLE) {
    for (int i = 0; i < RECV_BATCH && h->polling && h->fd >= 0; i++) {
      struct iovec iov = { h->data, sizeof h->data };
      struct msghdr msg;
      memset(&msg, 0, sizeof msg);
      msg.msg_name = &h->from;
      msg.msg_namelen = sizeof h->from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = h->control;
      msg.msg_controllen = sizeof h->control;
      ssize_t n = recvmsg(h->fd, &msg, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        deliver(h, make_errno_error(env, "recvmsg", errno), NULL, NULL, NULL);
        break;
      }
      napi_handle_scope inner;
      if (napi_open_handle_scope(env, &inner) != napi_ok) break;
      napi_value data, addr, control;
      void *unused;
      size_t datalen = (size_t)n > sizeof h->data ? sizeof h->data : (size_t)n; /* MSG_TRUNC-safe */
      napi_create_buffer_copy(env, datalen, h->data, &unused, &data);
      napi_create_buffer_copy(env, msg.msg_namelen, &h->from, &unused, &addr);
      napi_create_buffer_copy(env, msg.msg_controllen, h->control, &unused, &control);
      deliver(h, NULL, data, addr, control);
      napi_close_handle_scope(env, inner);
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value js_recv_start(napi_env env, napi_callback_info info) {
  napi_value argv[2], name;
  napi_valuetype kind;
  if (!get_args(env, info, 2, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  CHECK(env, napi_typeof(env, argv[1], &kind));
  if (kind != napi_function) {
    napi_throw_type_error(env, NULL, "expected a callback");
    return NULL;
  }
  release_callback(h);
  CHECK(env, napi_create_reference(env, argv[1], 1, &h->callback));
  CHECK(env, napi_create_string_utf8(env, "hadhcpd:raw-socket", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_async_init(env, NULL, name, &h->async_context));
  if (!h->poll_inited) {
    uv_loop_t *loop;
    CHECK(env, napi_get_uv_event_loop(env, &loop));
    int rc = uv_poll_init_socket(loop, &h->poll, h->fd);
    if (rc < 0) return throw_errno(env, "uv_poll_init", -rc);
    h->poll.data = h;
    h->poll_inited = 1;
  }
  int rc = uv_poll_start(&h->poll, UV_READABLE, on_readable);
  if (rc < 0) return throw_errno(env, "uv_poll_start", -rc);
  h->polling = 1;
  return NULL;
}

static napi_value js_recv_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->polling) uv_poll_stop(&h->poll);
  h->polling = 0;
  release_callback(h);
  return NULL;
}

static napi_value set_ref(napi_env env, napi_callback_info info, int ref) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  raw_handle *h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (h->poll_inited) {
    if (ref) uv_ref((uv_handle_t *)&h->poll);
    else uv_unref((uv_handle_t *)&h->poll);
  }
  return NULL;
}

static napi_value js_ref(napi_env env, napi_callback_info info) { return set_ref(env, info, 1); }
static napi_value js_unref(napi_env env, napi_callback_info info) { return set_ref(env, info, 0); }

static napi_value js_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  void *p = NULL;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_external(env, argv[0], &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "expected a socket handle");
    return NULL;
  }
  raw_handle *h = p;
  release_callback(h);
  shutdown_handle(h);
  return NULL;
}

/* ---- interface information --------------------------------------------------------------- */

static napi_value js_ifinfo(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, index, mac;
  char name[IF_NAMESIZE + 1];
  size_t len;
  void *macdata;
  if (!get_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected an interface name");
    return NULL;
  }
  if (len == 0 || len >= IF_NAMESIZE) return throw_errno(env, "if_nametoindex", ENODEV);
  unsigned int ifindex = if_nametoindex(name);
  if (ifindex == 0) return throw_errno(env, "if_nametoindex", errno);
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "socket", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, name, len);
  int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
  int saved = errno;
  close(fd);
  if (rc < 0) return throw_errno(env, "ioctl(SIOCGIFHWADDR)", saved);
  CHECK(env, napi_create_object(env, &result));
  CHECK(env, napi_create_uint32(env, ifindex, &index));
  CHECK(env, napi_create_buffer_copy(env, 6, ifr.ifr_hwaddr.sa_data, &macdata, &mac));
  CHECK(env, napi_set_named_property(env, result, "index", index));
  CHECK(env, napi_set_named_property(env, result, "mac", mac));
  return result;
}

/* ---- module ------------------------------------------------------------------------------ */

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "socket", NULL, js_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setsockopt", NULL, js_setsockopt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "attachFilter", NULL, js_attach_filter, NULL, NULL, NULL, napi_enumerable, NULL },
    { "bind", NULL, js_bind, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendto", NULL, js_sendto, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvStart", NULL, js_recv_start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvStop", NULL, js_recv_stop, NULL, NULL, NULL, napi_enumerable, NULL },
    { "ref", NULL, js_ref, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unref", NULL, js_unref, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "ifinfo", NULL, js_ifinfo, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
