package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/platform/httpapi"
)

type named struct {
	Slide int64 `json:"slide_id"`
}

// Bind decodes the body once for the steps after it; its error waits
// until a step asks for the body, so a rule between them answers first.
func TestBindHandsTheBodyOn(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	rule := func(c *gin.Context) {
		if c.GetHeader("Authorization") == "" {
			c.AbortWithStatus(http.StatusUnauthorized)
		}
	}
	e.POST("/x", httpapi.Bind[named](64), rule, func(c *gin.Context) {
		v, err := httpapi.Body[named](c)
		if err != nil {
			httpapi.Fail(c, err)
			return
		}
		c.String(http.StatusOK, "%d", v.Slide)
	})
	e.POST("/wrong", httpapi.Bind[named](64), func(c *gin.Context) {
		_, err := httpapi.Body[struct{ X int }](c)
		httpapi.Fail(c, err)
	})
	for _, tc := range []struct {
		path, body string
		signed     bool
		want       int
		text       string
	}{
		{"/x", `{"slide_id":7}`, true, http.StatusOK, "7"},
		{"/x", `{"slide_id":`, false, http.StatusUnauthorized, ""},
		{"/x", `{"slide_id":7,"x":1}`, true, http.StatusBadRequest, `unknown field \"x\"`},
		{"/x", `{"slide_id":"` + strings.Repeat("7", 100) + `"}`, true, http.StatusRequestEntityTooLarge, "larger than 64 bytes"},
		{"/wrong", `{"slide_id":7}`, true, http.StatusInternalServerError, "internal error"},
	} {
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
		if tc.signed {
			req.Header.Set("Authorization", "Bearer t")
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != tc.want || !strings.Contains(w.Body.String(), tc.text) {
			t.Errorf("%s %s: %d %s, want %d with %q", tc.path, tc.body, w.Code, w.Body, tc.want, tc.text)
		}
	}
}

// Kept hands the handler what the rule kept, typed; a route whose rule
// kept nothing there (or something else) answers a 500 naming the route,
// never a panic.
func TestKeptIsTypedAndNeverPanics(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	keep := func(v any) gin.HandlerFunc { return func(c *gin.Context) { c.Set("slide", v) } }
	handle := func(c *gin.Context) {
		v, err := httpapi.Kept[*named](c, "slide")
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "%d", v.Slide)
	}
	e.GET("/kept", keep(&named{Slide: 7}), handle)
	e.GET("/lost", handle)
	e.GET("/other", keep(named{Slide: 7}), handle)
	for _, tc := range []struct {
		path string
		want int
		text string
	}{
		{"/kept", http.StatusOK, "7"},
		{"/lost", http.StatusInternalServerError, `route /lost has no *httpapi_test.named under "slide"`},
		{"/other", http.StatusInternalServerError, `route /other has no *httpapi_test.named under "slide"`},
	} {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, httptest.NewRequest("GET", tc.path, nil))
		if w.Code != tc.want || !strings.Contains(w.Body.String(), tc.text) {
			t.Errorf("%s: %d %s, want %d with %q", tc.path, w.Code, w.Body, tc.want, tc.text)
		}
	}
}
