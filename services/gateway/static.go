package gateway

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/patholabel/patholabel/services/platform"
)

// static serves the built viewer. Unknown paths without a file extension
// get index.html so the viewer's own router handles deep links
// (/projects/3/slides/7); missing assets are real 404s.
type static struct {
	dir   string
	files http.Handler
}

func newStatic(dir string) *static {
	return &static{dir: dir, files: http.FileServer(http.Dir(dir))}
}

func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header(), r)
	p := path.Clean("/" + r.URL.Path)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeStatus(w, http.StatusMethodNotAllowed, platform.Errorf(platform.EINVALID, "method %s not allowed; the viewer's files are read with GET or HEAD", r.Method))
		return
	}
	if st, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(p))); err == nil && !st.IsDir() {
		if strings.HasPrefix(p, "/assets/") {
			// Vite puts a content hash in every asset name.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		s.files.ServeHTTP(w, r)
		return
	}
	if path.Ext(p) != "" {
		writeError(w, platform.Errorf(platform.ENOTFOUND, "no such file %s", p))
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFile(w, r, filepath.Join(s.dir, "index.html"))
}

// setSecurityHeaders keeps the viewer from loading anything from outside
// (hospital intranets block CDNs anyway) and from being framed, and, once
// it was reached over HTTPS, keeps the browser on HTTPS for a year.
func setSecurityHeaders(h http.Header, r *http.Request) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers that predate it
	if overHTTPS(r) {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// overHTTPS reports whether the browser reached us over TLS: directly, or
// through the Ingress, which terminates TLS and says so in
// X-Forwarded-Proto. A client forging that header over plain HTTP gains
// nothing: browsers ignore HSTS received without TLS (RFC 6797 §8.1).
// No includeSubDomains: other hosts of the hospital's domain are not ours
// to pin.
func overHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
