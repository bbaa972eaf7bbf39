package httpapi_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	mysqldriver "github.com/go-sql-driver/mysql"
	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Errors that say a dependency is unreachable answer 503 unavailable with
// Retry-After in every service; anything else stays a 500.
func TestOutagesAnswer503(t *testing.T) {
	addr := closedPort(t)
	_, dialErr := net.Dial("tcp", addr)
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	redisErr := rdb.Ping(context.Background()).Err()
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"dial refused", fmt.Errorf("list projects: %w", dialErr), 503},
		{"redis refused", fmt.Errorf("cache: %w", redisErr), 503},
		{"bad conn", fmt.Errorf("query: %w", driver.ErrBadConn), 503},
		{"invalid conn", mysqldriver.ErrInvalidConn, 503},
		{"too many connections", &mysqldriver.MySQLError{Number: 1040, Message: "Too many connections"}, 503},
		{"pool deadline", fmt.Errorf("begin: %w", context.DeadlineExceeded), 503},
		{"syntax error", &mysqldriver.MySQLError{Number: 1064, Message: "syntax"}, 500},
		{"bug", errors.New("nil map"), 500},
	}
	s := newServer(t)
	for i, tt := range tests {
		s.Engine().GET(fmt.Sprintf("/e/%d", i), func(c *gin.Context) { httpapi.Fail(c, tt.err) })
	}
	base := testenv.MustServe(t, serving{s})
	for i, tt := range tests {
		st, body, h := getHeader(t, fmt.Sprintf("%s/e/%d", base, i))
		if st != tt.status || (st == 503) != (h.Get("Retry-After") != "") || (st == 503) != strings.Contains(body, `"unavailable"`) {
			t.Errorf("%s (%v) = %d %s Retry-After %q, want %d", tt.name, tt.err, st, body, h.Get("Retry-After"), tt.status)
		}
	}
}

func getHeader(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}
