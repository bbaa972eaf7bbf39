package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/httpapi"
)

// newProxy forwards to one service. Bodies stream both ways (multi-GB
// uploads, tiles), so nothing is buffered; an unreachable service answers
// in the common error shape.
func newProxy(service string, target *url.URL, log *slog.Logger) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
			r.Out.Host = r.In.Host // services see the browser's host, for the same-origin check
		},
		FlushInterval: -1,
		Transport: &http.Transport{
			Proxy:                 nil,
			MaxIdleConnsPerHost:   256, // tile bursts open many parallel requests
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 5 * time.Minute, // an upload's last part may be assembled before answering
			// A client that sends Expect: 100-continue (curl does, for large
			// bodies) gets the service's early refusal without sending its
			// body: wait for the service's go-ahead before forwarding it.
			ExpectContinueTimeout: 2 * time.Second,
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, context.Canceled) {
				return // the client went away
			}
			log.Warn("upstream unreachable", "upstream", service, "err", err)
			writeError(w, platform.Errorf(platform.EUNAVAILABLE, "the %s service is not answering; try again shortly", service))
		},
	}
}

// writeError answers in the one error shape every endpoint uses.
func writeError(w http.ResponseWriter, e *platform.Error) { writeStatus(w, httpapi.Status(e.Code), e) }

func writeStatus(w http.ResponseWriter, status int, e *platform.Error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":{"code":"` + e.Code + `","message":` + quote(e.Message) + `}}`))
}
