package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// RequestID is the id the middleware answered with, which work started by
// the request carries on; a client's overlong or missing id is replaced,
// so reading the inbound header (as export once did) gave jobs an id no
// log line has.
func TestRequestIDIsTheAssignedOne(t *testing.T) {
	s := newServer(t)
	s.Engine().GET("/id", func(c *gin.Context) { c.String(http.StatusOK, httpapi.RequestID(c)) })
	base := testenv.MustServe(t, serving{s})
	for _, sent := range []string{"", "client-chosen", strings.Repeat("x", 65)} {
		req, _ := http.NewRequest(http.MethodGet, base+"/id", nil)
		if sent != "" {
			req.Header.Set("X-Request-Id", sent)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answered := res.Header.Get("X-Request-Id")
		if string(body) != answered || answered == "" {
			t.Errorf("sent %q: the handler saw %q, the answer says %q", sent, body, answered)
		}
		if (sent == "client-chosen") != (answered == sent) {
			t.Errorf("sent %q, answered %q: only a usable client id is kept", sent, answered)
		}
	}
}

// The values one request's handlers keep (c.Set) are gone for the next:
// the maps that hold them are reused.
func TestKeptValuesDoNotOutliveTheirRequest(t *testing.T) {
	s := newServer(t)
	s.Engine().GET("/keep", func(c *gin.Context) {
		_, had := c.Get("secret")
		c.Set("secret", "of the previous request")
		c.String(http.StatusOK, "%v", had)
	})
	base := testenv.MustServe(t, serving{s})
	for i := range 50 {
		res, err := http.Get(base + "/keep")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != "false" {
			t.Fatalf("request %d saw a value kept by an earlier one", i)
		}
	}
}
