package hive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ListFiles returns every file, newest first, but those Hive sent unfit to use.
func (c *Client) ListFiles(ctx context.Context) (*List[File], error) {
	return list[File](ctx, c, "GET /files", "files")
}

// GetFile retrieves one file's object (not its bytes: see OpenFile).
func (c *Client) GetFile(ctx context.Context, id string) (*File, error) {
	const op = "GET /files/{id}"
	if err := checkID(op, "id", id); err != nil {
		return nil, err
	}
	return object[File](ctx, c, request{method: http.MethodGet, op: op, url: c.endpoint("files", id)})
}

// FileContent is an open download. Close it.
type FileContent struct {
	File          *File
	Body          io.ReadCloser // at most the client's MaxFileBytes; reading past that fails
	ContentType   string        // as the files host sent it; callers serving it should not trust it
	ContentLength int64         // -1 when unknown
}

const opDownload = "GET {file url}"

// OpenFile retrieves the file's object and opens its bytes at its url. The url must be on an
// allow-listed host over https (http only for an allowed loopback host); redirects are not followed;
// connections to private, link-local and other non-public addresses are refused when dialling, so
// DNS cannot route around the allow-list; the bearer token goes only to an allowed host.
func (c *Client) OpenFile(ctx context.Context, id string) (*FileContent, error) {
	f, err := c.GetFile(ctx, id)
	if err != nil {
		return nil, err
	}
	u, err := c.checkFileURL(f.URL)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.fileTimeout)
	resp, err := c.send(ctx, request{method: http.MethodGet, op: opDownload, url: u, client: c.files})
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.ContentLength > c.maxFile {
		resp.Body.Close()
		cancel()
		return nil, &Error{Code: CodeBadResponse, Op: opDownload, Message: "file larger than the console accepts"}
	}
	return &FileContent{
		File:          f,
		Body:          &fileBody{r: &limitedReader{r: resp.Body, n: c.maxFile}, body: resp.Body, cancel: cancel},
		ContentType:   resp.Header.Get("Content-Type"),
		ContentLength: resp.ContentLength,
	}, nil
}

// fileBody ends the download's context when closed.
type fileBody struct {
	r      io.Reader
	body   io.Closer
	cancel context.CancelFunc
}

func (b *fileBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if errors.Is(err, errTooLarge) {
		err = &Error{Code: CodeBadResponse, Op: opDownload, Message: "file larger than the console accepts"}
	}
	return n, err
}

func (b *fileBody) Close() error {
	err := b.body.Close()
	b.cancel()
	return err
}

// checkFileURL refuses every file url that is not https (or http on an allowed loopback host) on an
// allow-listed host.
func (c *Client) checkFileURL(raw string) (*url.URL, error) {
	refuse := func(why string) (*url.URL, error) {
		return nil, &Error{Code: CodeRefused, Op: opDownload, Message: "file url refused: " + why}
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return refuse("not an absolute URL")
	}
	if u.User != nil {
		return refuse("credentials in URL")
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	loopback := isLoopbackHost(host)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && loopback && c.allowLoopback:
	default:
		return refuse("scheme must be https")
	}
	if loopback && !c.allowLoopback {
		return refuse("loopback host")
	}
	if ip := net.ParseIP(host); ip != nil && !loopback && !publicIP(ip) {
		return refuse("non-public address")
	}
	if !c.fileHostAllowed(u.Scheme, host, u.Port()) {
		return refuse("host not in the files allow-list")
	}
	return u, nil
}

// fileHostAllowed matches host[:port] against the allow-list. An entry without a port allows only
// the scheme's default port.
func (c *Client) fileHostAllowed(scheme, host, port string) bool {
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[scheme]
	}
	for _, entry := range c.filesHosts {
		h, p, err := net.SplitHostPort(entry)
		if err != nil {
			h, p = entry, map[string]string{"https": "443", "http": "80"}[scheme]
		}
		if strings.TrimSuffix(strings.Trim(h, "[]"), ".") == host && p == port {
			return true
		}
	}
	return false
}

// PublicIP reports whether ip is a globally routable unicast address: not private, loopback,
// link-local (cloud metadata), shared, reserved or NAT64. Whatever else the console dials on
// someone's word (webhooks) uses the same rule.
func PublicIP(ip net.IP) bool { return publicIP(ip) }

// publicIP reports whether ip is a globally routable unicast address.
func publicIP(ip net.IP) bool {
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLinkLocalUnicast() && !isSharedOrReserved(ip)
}

// isSharedOrReserved covers ranges Go's helpers leave out: carrier-grade NAT (100.64/10),
// benchmarking (198.18/15) and the IPv4 "this network" block.
func isSharedOrReserved(ip net.IP) bool {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	addr = addr.Unmap()
	for _, p := range reservedPrefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private space
}

// dialGuard refuses, at connect time, any address that is not public — or loopback when allowed.
// It sees the address actually dialled, after DNS, so a hostname that resolves to 169.254.169.254
// is refused too.
func dialGuard(allowLoopback bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		switch {
		case ip == nil:
			return fmt.Errorf("dial %s: not an IP address", address)
		case ip.IsLoopback() && allowLoopback:
			return nil
		case !publicIP(ip):
			return fmt.Errorf("dial %s: non-public address refused", address)
		}
		return nil
	}
}

// dialContextFunc is the shape of net.Dialer.DialContext, replaceable in tests.
type dialContextFunc func(ctx context.Context, network, address string) (net.Conn, error)

// newFilesClient builds the download client: guarded dialler, no proxy (a proxy would dial for us,
// past the guard), no redirects, every timeout set. dial wraps the guarded dialler when not nil.
func newFilesClient(allowLoopback bool, wrap func(dialContextFunc) dialContextFunc) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: dialGuard(allowLoopback)}
	dial := dialContextFunc(dialer.DialContext)
	if wrap != nil {
		dial = wrap(dial)
	}
	t := newAPITransport()
	t.Proxy = nil
	t.DialContext = dial
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
