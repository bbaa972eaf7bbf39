package access

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	goredis "github.com/redis/go-redis/v9"

	"github.com/patholabel/patholabel/services/platform/redis"
)

// Session cookie names. Over HTTPS the auth service sets SecureCookieName:
// the __Host- prefix makes browsers accept it only when Secure, for this
// exact host and path /, so a sibling subdomain or a plain-HTTP response
// cannot plant or overwrite it. Plain HTTP (local development) uses
// CookieName. Both are read.
const (
	CookieName       = "patholabel_session"
	SecureCookieName = "__Host-patholabel_session"
)

// Cache lifetimes. LocalTTL bounds how long a revoked session can still be
// used on another replica; RedisTTL bounds how stale a membership change
// can be if an invalidation was lost (Redis down at that moment).
const (
	LocalTTL  = 3 * time.Second
	RedisTTL  = time.Minute
	localSize = 50_000
)

// Authenticator resolves credentials to principals.
type Authenticator struct {
	db     *sql.DB
	rdb    *goredis.Client // may be nil: every lookup then goes to MySQL
	prefix string
	seal   *redis.Sealer // whoever can write Redis must not be able to mint principals
	forged prometheus.Counter
	now    func() time.Time

	mu    sync.Mutex
	local map[digest]cached // by the secret's SHA-256, kept raw: no hex string per request
}

// digest is a secret's SHA-256; its hex form (HashSecret) is the key in
// MySQL and Redis.
type digest [sha256.Size]byte

type cached struct {
	P       *Principal `json:"p"`
	Expires time.Time  `json:"e"` // the session's or token's own expiry
	until   time.Time  // local cache expiry
}

// NewAuthenticator builds an Authenticator on the Redis of rc (its prefix
// and cache key); rdb may be nil, reg too (tests).
func NewAuthenticator(db *sql.DB, rdb *goredis.Client, rc redis.Config, reg prometheus.Registerer, now func() time.Time) *Authenticator {
	forged := promauto.With(reg).NewCounter(prometheus.CounterOpts{
		Name: "patholabel_principal_cache_forged_total",
		Help: "Principals read from Redis whose seal did not verify and that were ignored: written by someone without PATHOLABEL_CACHE_KEY, or before it was rotated.",
	})
	return &Authenticator{db: db, rdb: rdb, prefix: rc.Prefix + "principal:", seal: rc.Sealer(), forged: forged,
		now: now, local: map[digest]cached{}}
}

// Credential is what a request presents.
type Credential struct {
	Secret string
	Kind   string // "session" or "token"
}

// CredentialOf extracts the bearer token or session cookie; a bearer token
// wins because scripts may also carry stale cookies.
func CredentialOf(r *http.Request) (Credential, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok && tok != "" {
			return Credential{strings.TrimSpace(tok), "token"}, true
		}
		return Credential{Kind: "token"}, true // malformed: rejected by Resolve
	}
	if v := sessionCookie(r.Header["Cookie"]); v != "" {
		return Credential{v, "session"}, true
	}
	return Credential{}, false
}

// sessionCookie reads the Cookie headers as r.Cookie(SecureCookieName),
// then r.Cookie(CookieName), would: the first valid cookie of each name,
// the secure one's value if not empty. One pass that builds nothing:
// r.Cookie parsed every cookie of the header, once per name asked, on
// every request, tiles included.
func sessionCookie(lines []string) string {
	n := 0
	for _, line := range lines {
		n += strings.Count(line, ";") + 1
	}
	if n > maxCookies {
		return "" // as r.Cookie: it reads none past Go's limit
	}
	var secure, plain string
	var seenSecure, seenPlain bool
	for _, line := range lines {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ";")
			name, val, _ := strings.Cut(textproto.TrimString(part), "=")
			name = textproto.TrimString(name)
			switch {
			case name == SecureCookieName && !seenSecure:
				secure, seenSecure = cookieValue(val)
			case name == CookieName && !seenPlain:
				plain, seenPlain = cookieValue(val)
			}
		}
	}
	if secure != "" {
		return secure
	}
	return plain
}

// maxCookies is net/http's own limit (GODEBUG httpcookiemaxnum's default).
const maxCookies = 3000

// cookieValue is net/http's reading of a cookie value: double quotes
// around it dropped, and refused if any byte is not allowed in one.
func cookieValue(v string) (string, bool) {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b >= 0x7f || b == '"' || b == ';' || b == '\\' {
			return "", false
		}
	}
	return v, true
}

// Resolve returns the principal for a credential, or (nil, nil) when the
// credential is unknown, expired, revoked or its user disabled. Errors mean
// MySQL could not be asked.
func (a *Authenticator) Resolve(ctx context.Context, cr Credential) (*Principal, error) {
	if cr.Secret == "" {
		return nil, nil
	}
	d := sum(cr.Secret)
	now := a.now()
	if c, ok := a.fromLocal(d, now); ok {
		return c.P, nil
	}
	key := hex.EncodeToString(d[:]) // HashSecret(cr.Secret)
	if c, ok := a.fromRedis(ctx, key, now); ok {
		a.toLocal(d, c, now)
		return c.P, nil
	}
	c, err := a.load(ctx, cr.Kind, key, now)
	if err != nil || c.P == nil {
		return nil, err
	}
	a.toRedis(ctx, key, c, now)
	a.toLocal(d, c, now)
	return c.P, nil
}

func (a *Authenticator) fromLocal(key digest, now time.Time) (cached, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.local[key]
	if !ok || now.After(c.until) || now.After(c.Expires) {
		return cached{}, false
	}
	return c, true
}

func (a *Authenticator) toLocal(key digest, c cached, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.local) >= localSize {
		clear(a.local) // rare; a full map means an attack or a huge install, both fine with a refill
	}
	c.until = now.Add(LocalTTL)
	a.local[key] = c
}

// fromRedis treats any Redis failure as a miss: the cache is optional. So
// is an entry whose seal does not verify, which is also counted.
func (a *Authenticator) fromRedis(ctx context.Context, key string, now time.Time) (cached, bool) {
	if a.rdb == nil {
		return cached{}, false
	}
	sealed, err := a.rdb.Get(ctx, a.prefix+key).Bytes()
	if err != nil {
		return cached{}, false
	}
	b, ok := a.seal.Open(a.prefix+key, sealed)
	if !ok {
		a.forged.Inc()
		return cached{}, false
	}
	var c cached
	if json.Unmarshal(b, &c) != nil || c.P == nil || now.After(c.Expires) {
		return cached{}, false
	}
	return c, true
}

func (a *Authenticator) toRedis(ctx context.Context, key string, c cached, now time.Time) {
	if a.rdb == nil {
		return
	}
	ttl := min(RedisTTL, c.Expires.Sub(now))
	if b, err := json.Marshal(c); err == nil && ttl > 0 {
		_ = a.rdb.Set(ctx, a.prefix+key, a.seal.Seal(a.prefix+key, b), ttl).Err() // best effort
	}
}

// sessionQuery finds a live session: not revoked, not past its end, and
// used within its idle timeout (idle_timeout_s 0: none).
const sessionQuery = `SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, s.idle_timeout_s, u.username, u.display_name, u.system_role
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled = 0
AND (s.idle_timeout_s = 0 OR COALESCE(s.last_seen_at, s.created_at) > ? - INTERVAL s.idle_timeout_s SECOND)`

const tokenQuery = `SELECT t.user_id, t.read_only, t.expires_at, u.username, u.display_name, u.system_role
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled = 0`

func (a *Authenticator) load(ctx context.Context, kind, key string, now time.Time) (cached, error) {
	p := &Principal{Via: kind}
	var c cached
	var err error
	if kind == "session" {
		var idle int64
		err = a.db.QueryRowContext(ctx, sessionQuery, key, now, now).Scan(&p.UserID, &p.CSRFToken, &p.SignedInAt, &c.Expires, &idle,
			&p.Username, &p.DisplayName, &p.SystemRole)
		if end := now.Add(time.Duration(idle) * time.Second); idle > 0 && end.Before(c.Expires) {
			c.Expires = end // caches must not outlive the idle timeout either
		}
	} else {
		var exp sql.NullTime
		err = a.db.QueryRowContext(ctx, tokenQuery, key, now).Scan(&p.UserID, &p.ReadOnly, &exp, &p.Username, &p.DisplayName, &p.SystemRole)
		// Tokens without expiry are cached as if they expired in a day; the
		// cache lifetimes are far shorter anyway.
		c.Expires = now.Add(24 * time.Hour)
		if exp.Valid {
			c.Expires = exp.Time
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return cached{}, nil
	}
	if err != nil {
		return cached{}, fmt.Errorf("look up %s: %w", kind, err)
	}
	if p.Projects, err = a.memberships(ctx, p.UserID); err != nil {
		return cached{}, err
	}
	if kind == "token" {
		a.touchToken(ctx, key, now)
	} else {
		a.touchSession(ctx, key, now)
	}
	c.P = p
	return c, nil
}

// touchToken records when a token was last used. It runs only when the
// caches miss, so last_used_at is right to about RedisTTL at no cost to
// cached requests; a failure only leaves it older.
func (a *Authenticator) touchToken(ctx context.Context, key string, now time.Time) {
	_, _ = a.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`, now.UTC(), key)
}

// touchSession moves a session's idle timeout on. Like touchToken it runs
// on cache misses only, so an active session is seen at least every
// RedisTTL, far within any idle timeout; a failure only ends it sooner.
func (a *Authenticator) touchSession(ctx context.Context, key string, now time.Time) {
	_, _ = a.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now.UTC(), key)
}

func (a *Authenticator) memberships(ctx context.Context, user int64) (map[int64]string, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT project_id, role FROM project_members WHERE user_id = ?`, user)
	if err != nil {
		return nil, fmt.Errorf("look up memberships of user %d: %w", user, err)
	}
	defer rows.Close()
	m := map[int64]string{}
	for rows.Next() {
		var id int64
		var role string
		if err := rows.Scan(&id, &role); err != nil {
			return nil, fmt.Errorf("scan membership: %w", err)
		}
		m[id] = role
	}
	return m, rows.Err()
}

// Forget drops one credential (by its hash) from the shared and local caches.
func (a *Authenticator) Forget(ctx context.Context, hashes ...string) error {
	a.mu.Lock()
	for _, h := range hashes {
		var d digest
		if n, err := hex.Decode(d[:], []byte(h)); err == nil && n == len(d) {
			delete(a.local, d)
		}
	}
	a.mu.Unlock()
	if a.rdb == nil || len(hashes) == 0 {
		return nil
	}
	keys := make([]string, len(hashes))
	for i, h := range hashes {
		keys[i] = a.prefix + h
	}
	if err := a.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("forget cached principals: %w", err)
	}
	return nil
}

// ForgetUser drops every cached session and token of user, after a
// disable, password change, role or membership change. Tokens revoked
// within RedisTTL are dropped too: the change may just have revoked them.
// If Redis is down the entries expire by themselves within RedisTTL;
// callers log the error.
func (a *Authenticator) ForgetUser(ctx context.Context, user int64) error {
	rows, err := a.db.QueryContext(ctx, `SELECT id FROM sessions WHERE user_id = ? AND expires_at > UTC_TIMESTAMP(6)
		UNION ALL SELECT token_hash FROM api_tokens WHERE user_id = ?
		AND (revoked_at IS NULL OR revoked_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND)`, user, user, int(RedisTTL/time.Second)+1)
	if err != nil {
		return fmt.Errorf("list credentials of user %d: %w", user, err)
	}
	defer rows.Close()
	var hashes []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return fmt.Errorf("scan credential: %w", err)
		}
		hashes = append(hashes, h)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list credentials of user %d: %w", user, err)
	}
	return a.Forget(ctx, hashes...)
}
