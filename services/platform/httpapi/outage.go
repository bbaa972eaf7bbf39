package httpapi

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	goredis "github.com/redis/go-redis/v9"
)

// RetryAfter is the Retry-After, in seconds, sent with every 503: long
// enough for a restarted database or a failed-over Redis to come back.
const RetryAfter = "5"

// outage reports whether err says a dependency (MySQL, Redis, the object
// store) could not be reached or dropped the connection, as opposed to a
// bug: clients should retry an outage later and report a bug.
func outage(err error) bool {
	var op *net.OpError
	var my *mysqldriver.MySQLError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysqldriver.ErrInvalidConn),
		errors.Is(err, goredis.ErrPoolTimeout), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &op):
		return true // dial, read or write on a connection to a dependency
	case errors.As(err, &my):
		return mysqlOutage(my.Number)
	}
	return false
}

// mysqlOutage reports the server's answers that mean "not now" rather
// than "wrong": too many connections, shutting down, connection killed.
func mysqlOutage(number uint16) bool {
	switch number {
	case 1040, // ER_CON_COUNT_ERROR
		1053, // ER_SERVER_SHUTDOWN
		1203, // ER_TOO_MANY_USER_CONNECTIONS
		1927, // ER_CONNECTION_KILLED (MariaDB)
		2006, // CR_SERVER_GONE_ERROR
		2013: // CR_SERVER_LOST
		return true
	}
	return false
}
