package http_test

import (
	"context"
	"net/http"
	"reflect"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/patholabel/patholabel/services/auth"
	authhttp "github.com/patholabel/patholabel/services/auth/http"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// The handlers against auth.Store and Sessions: what a sign-out and a
// token revocation hand on. The store runs on MariaDB in cmd/auth's
// end-to-end tests; here only the handlers' side of the contract.

// store is an auth.Store that records logouts and revocations; calls the
// tests do not expect panic through the nil embedded interface (answered
// as 500s, which the tests then report).
type store struct {
	auth.Store
	loggedOut []string
	revoked   []int64
}

func (s *store) Logout(_ context.Context, _ *access.Principal, secret string, _ auth.ClientInfo) error {
	s.loggedOut = append(s.loggedOut, secret)
	return nil
}

func (s *store) RevokeToken(_ context.Context, _ auth.Actor, _ *access.Principal, id int64) (string, error) {
	s.revoked = append(s.revoked, id)
	return "hash-of-" + strconv.FormatInt(id, 10), nil
}

// sessions is the gate with a fixed caller, recording what it was told to
// forget.
type sessions struct {
	access.Fixed
	forgot []string
}

func (s *sessions) Forget(_ context.Context, hashes ...string) error {
	s.forgot = append(s.forgot, hashes...)
	return nil
}

func (s *sessions) ForgetUser(context.Context, int64) error { return nil }

func mustServe(tb testing.TB, p *access.Principal) (*gin.Engine, *store, *sessions) {
	tb.Helper()
	st, ss := &store{}, &sessions{Fixed: access.Fixed{P: p}}
	e := testenv.MustEngine(tb, "auth", func(e *gin.Engine) {
		authhttp.Register(e, authhttp.Deps{Config: auth.Config{}, Store: st, Authn: ss, Log: testenv.Logger()})
	})
	return e, st, ss
}

// A revoked token and an ended session are dropped from the cache at
// once, by the hash the store answered or of the cookie's secret; an
// anonymous caller reaches neither the store nor the cache.
func TestSignOutAndRevokeForgetTheCredential(t *testing.T) {
	signedIn := &access.Principal{UserID: 5, Username: "ann", Projects: map[int64]string{}}
	e, st, ss := mustServe(t, signedIn)
	if w := testenv.CallJSON(e, "DELETE", "/api/v1/tokens/7", ""); w.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	if w := testenv.CallJSON(e, "POST", "/api/v1/auth/logout", "", "Cookie", access.CookieName+"=s3cret"); w.Code != http.StatusNoContent {
		t.Fatalf("logout: %d %s", w.Code, w.Body)
	}
	if !reflect.DeepEqual(st.revoked, []int64{7}) || !reflect.DeepEqual(st.loggedOut, []string{"s3cret"}) {
		t.Errorf("store revoked %v, logged out %v; want [7] and [s3cret]", st.revoked, st.loggedOut)
	}
	if want := []string{"hash-of-7", access.HashSecret("s3cret")}; !reflect.DeepEqual(ss.forgot, want) {
		t.Errorf("forgot %q, want %q", ss.forgot, want)
	}

	e, st, ss = mustServe(t, nil)
	if w := testenv.CallJSON(e, "DELETE", "/api/v1/tokens/7", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous revoke: %d %s, want 401", w.Code, w.Body)
	}
	if len(st.revoked) != 0 || len(ss.forgot) != 0 {
		t.Errorf("anonymous revoke reached the store (%v) or the cache (%v)", st.revoked, ss.forgot)
	}
}
