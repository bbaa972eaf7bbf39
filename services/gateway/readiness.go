package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// probeUpstream asks one service's /readyz; any non-200 is not ready.
func probeUpstream(client *http.Client, base *url.URL) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("/readyz").String(), nil)
		if err != nil {
			return fmt.Errorf("build readiness request: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("ask %s: %w", base, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s/readyz answered %d", base, resp.StatusCode)
		}
		return nil
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
