// Package outage tells a dependency that is not answering (MySQL, Redis,
// the object store) from a bug or bad input. The HTTP layer answers an
// outage 503 with Retry-After; the job workers wait it out without using
// up a job's attempts, since the input is intact and only time will help.
package outage

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	mysqldriver "github.com/go-sql-driver/mysql"
	miniogo "github.com/minio/minio-go/v7"
	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform"
)

// Is reports whether err says a dependency could not be reached, dropped
// the connection or answered "not now" (an unavailable Error, an S3 5xx
// such as MinIO's "server not initialized" while it starts), as opposed to
// a bug: an outage is worth retrying later, a bug is worth reporting.
func Is(err error) bool {
	if platform.ErrorCode(err) == platform.EUNAVAILABLE {
		return true
	}
	var op *net.OpError
	var my *mysqldriver.MySQLError
	var s3 miniogo.ErrorResponse
	switch {
	case err == nil:
		return false
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, mysqldriver.ErrInvalidConn),
		errors.Is(err, goredis.ErrPoolTimeout), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &op):
		return true // dial, read or write on a connection to a dependency
	case errors.As(err, &my):
		return mysqlOutage(my.Number)
	case errors.As(err, &s3):
		return s3.StatusCode >= 500
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
