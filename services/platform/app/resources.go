package app

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/httpapi"
	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/objstore"
	"github.com/patholabel/patholabel/services/platform/redis"
)

// Resources are the connections a service opened; nil ones it does not use.
type Resources struct {
	DB    *sql.DB
	Redis *goredis.Client
	S3    *minio.Client
}

// Open connects to what the service uses: MySQL always, Redis and the
// object store when their configs are given.
func Open(my mysql.Config, rc *redis.Config, s3 *objstore.Config) (*Resources, error) {
	r := &Resources{}
	var err error
	if r.DB, err = mysql.Open(my); err != nil {
		return nil, err
	}
	if rc != nil {
		r.Redis = redis.New(*rc)
	}
	if s3 != nil {
		if r.S3, err = objstore.New(*s3); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// Checks are the readiness probes of the opened resources. The object
// store probe checks the bucket the service cannot work without, creating
// it when allowed, so a fresh MinIO becomes usable without a manual step.
func (r *Resources) Checks(bucket string, create bool) []httpapi.Check {
	checks := []httpapi.Check{{Name: "mysql", Probe: r.DB.PingContext}}
	if r.Redis != nil {
		checks = append(checks, httpapi.Check{Name: "redis", Optional: true, Probe: func(ctx context.Context) error { return r.Redis.Ping(ctx).Err() }})
	}
	if r.S3 != nil {
		checks = append(checks, httpapi.Check{Name: "s3", Probe: func(ctx context.Context) error {
			if create {
				return objstore.EnsureBucket(ctx, r.S3, bucket, "")
			}
			ok, err := r.S3.BucketExists(ctx, bucket)
			if err == nil && !ok {
				err = errors.New("bucket " + bucket + " does not exist and PATHOLABEL_S3_CREATE_BUCKETS is false")
			}
			return err
		}})
	}
	return checks
}

// Close releases every connection.
func (r *Resources) Close() error {
	var errs []error
	if r.Redis != nil {
		errs = append(errs, r.Redis.Close())
	}
	if r.DB != nil {
		errs = append(errs, r.DB.Close())
	}
	return errors.Join(errs...)
}

// Process is what every service's Main shares: the connections it opened
// and its HTTP server, with background loops (job workers) beside it.
// Embedded in cmd/<service>.Main, it keeps main thin and the same in
// every service.
type Process struct {
	Res    *Resources      // set by Main.Open
	Server *httpapi.Server // set by Main.Open, listening
}

// API is what every service's handlers stand on, made the same way in
// each by Process.NewServer: the binary's one metrics registry, the audit
// log (which also records the requests the access rules refused), and the
// authenticator of sessions and tokens.
type API struct {
	Registry *prometheus.Registry
	Audit    *audit.Log
	Authn    *access.Authenticator
}

// NewServer makes p.Server for service over the connections in p.Res
// (Redis as rc says, when the service has it), with checks as its
// readiness probes; the service registers its routes on it, then listens.
func (p *Process) NewServer(service string, cfg httpapi.Config, rc redis.Config, log *slog.Logger, checks []httpapi.Check) API {
	api := API{Registry: httpapi.NewRegistry(), Audit: audit.New(p.Res.DB, time.Now)}
	api.Authn = access.NewAuthenticator(p.Res.DB, p.Res.Redis, rc, api.Registry, time.Now)
	p.Server = httpapi.New(cfg, httpapi.Deps{Service: service, Log: log, Registry: api.Registry, Checks: checks, Denied: api.Audit.Denied})
	return api
}

// Addr is the server's bound address.
func (p *Process) Addr() string { return p.Server.Addr() }

// Serve calls open unless Main.Open already ran, then serves until ctx
// ends with each background loop running beside the server; it returns
// once they all stopped (a job in progress is handed back first).
func (p *Process) Serve(ctx context.Context, open func(context.Context) error, background ...func(context.Context)) error {
	if p.Server == nil {
		if err := open(ctx); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	for _, run := range background {
		wg.Go(func() { run(ctx) })
	}
	defer wg.Wait()
	return p.Server.Serve(ctx)
}

// Close releases the connections.
func (p *Process) Close() error {
	if p.Res == nil {
		return nil
	}
	return p.Res.Close()
}
