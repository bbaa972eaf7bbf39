package audit_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/platform/audit"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Append writes what the audit view reads; values longer than their
// columns are cut, never refused, and absent ids are NULL, not 0.
func TestAppendKeepsEveryEvent(t *testing.T) {
	db, _ := testenv.MustDB(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 5, 1, 2, 3, 4000, time.UTC)
	long := strings.Repeat("ä", 100)
	if err := audit.Append(ctx, db, at, audit.Actor{ID: 7, Name: long, ClientIP: "10.1.2.3"},
		audit.Event{Action: "slide.view", TargetType: "slide", TargetID: "12", ProjectID: 3, Detail: map[string]any{"k": 1}}); err != nil {
		t.Fatal(err)
	}
	if err := audit.Append(ctx, db, at, audit.Actor{}, audit.Event{Action: long, TargetID: long}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT at, COALESCE(actor_id, 0), actor_name, action, target_id, COALESCE(project_id, 0), client_ip, COALESCE(detail, '') FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var when time.Time
		var actor, project int64
		var name, action, target, ip, detail string
		if err := rows.Scan(&when, &actor, &name, &action, &target, &project, &ip, &detail); err != nil {
			t.Fatal(err)
		}
		if !when.Equal(at) {
			t.Errorf("at = %v, want %v", when, at)
		}
		got = append(got, strings.Join([]string{itoa(actor), itoa(int64(len([]rune(name)))), itoa(int64(len([]rune(action)))), itoa(int64(len([]rune(target)))), itoa(project), ip, strings.ReplaceAll(detail, " ", "")}, "|"))
	}
	want := []string{"7|64|10|2|3|10.1.2.3|{\"k\":1}", "0|0|64|64|0||"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
