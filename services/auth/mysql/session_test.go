package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Sign-in on real MariaDB through the domain's LoginRequest: the right
// password opens a session of the requested length, a wrong one and an
// unknown name answer the same unauthorized error, and the account's
// budget of failures then refuses even the right password for a while.
func TestLogin(t *testing.T) {
	db, _ := testenv.MustDB(t)
	ctx := context.Background()
	s := mysql.New(db, time.Now, auth.NewPasswordGate(2, time.Second))
	if _, err := s.CreateUser(ctx, auth.Actor{Name: "test"}, auth.UserInput{Username: "ada", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	th := auth.DefaultThrottle()
	th.AccountFailures, th.FirstDelay = 2, time.Minute
	req := func(user, password string) auth.LoginRequest {
		return auth.LoginRequest{Username: user, Password: password, TTL: time.Hour, Throttle: th,
			Client: auth.ClientInfo{IP: "192.0.2.1", UserAgent: "test"}}
	}

	u, sess, err := s.Login(ctx, req("ada", "correct horse battery"))
	if err != nil || u.Username != "ada" || sess == nil {
		t.Fatalf("login: %+v, %+v, %v", u, sess, err)
	}
	if left := time.Until(sess.ExpiresAt); left < 59*time.Minute || left > time.Hour {
		t.Fatalf("the session lasts %v, want the requested hour", left)
	}
	_, _, wrong := s.Login(ctx, req("ada", "wrong password!"))
	_, _, unknown := s.Login(ctx, req("nobody", "wrong password!"))
	if platform.ErrorCode(wrong) != platform.EUNAUTHORIZED || platform.ErrorMessage(wrong) != platform.ErrorMessage(unknown) {
		t.Fatalf("wrong password %v, unknown user %v: want the same unauthorized answer", wrong, unknown)
	}
	_, _, _ = s.Login(ctx, req("ada", "wrong again!!")) // spends the budget
	if _, _, err := s.Login(ctx, req("ada", "correct horse battery")); platform.ErrorCode(err) != platform.ETOOMANY {
		t.Fatalf("the right password past the budget: %v, want too_many_requests", err)
	}
}
