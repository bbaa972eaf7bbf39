package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

func TestSeedDemoIsIdempotent(t *testing.T) {
	db, cfg := testenv.MustDB(t)
	env := map[string]string{
		"PATHOLABEL_MYSQL_ADDR": cfg.Addr, "PATHOLABEL_MYSQL_USER": cfg.User, "PATHOLABEL_MYSQL_PASSWORD": cfg.Password,
		"PATHOLABEL_MYSQL_DATABASE": cfg.Database, "PATHOLABEL_ADMIN_PASSWORD": adminPassword,
	}
	runs := []string{`demo project "GBM H&E" (id 1): created the project, added 6 categories, made admin its manager`,
		`demo project "GBM H&E" (id 1) already complete; nothing changed`}
	for i, want := range runs {
		var stdout, stderr bytes.Buffer
		if code := app.Main("auth", []string{"seed-demo"}, config.FromMap(env), &stderr, build, seedDemoCommand(&stdout)); code != 0 {
			t.Fatalf("run %d: exit %d: %s", i+1, code, stderr.String())
		}
		if out := stdout.String(); out != want+"\n" {
			t.Errorf("run %d printed %q, want %q", i+1, out, want)
		}
	}
	checkDemo(t, mysql.New(db, time.Now, nil))
}

func checkDemo(t *testing.T, store *mysql.Store) {
	ctx := context.Background()
	p, err := store.ProjectByName(ctx, "GBM H&E")
	if err != nil {
		t.Fatal(err)
	}
	cats, err := store.Categories(ctx, auth.CategoryFilter{Project: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 Necrosis-palisading #000000 1", "2 MicVas-Proliferation #ffff00 2", "3 Blood-Vessel #0000ff 3",
		"4 Necrosis-Geo #00ffff 4", "5 Brain-Tissue #808080 5", "6 Tumor #00ff00 6"}
	var got []string
	for _, c := range cats {
		got = append(got, fmt.Sprint(c.ClassID, " ", c.Name, " ", c.Color, " ", c.Shortcut))
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("categories = %v, want %v", got, want)
	}
	admin, _ := store.UserByUsername(ctx, "admin")
	if m, err := store.Member(ctx, p.ID, admin.ID); err != nil || m.Role != "manager" {
		t.Errorf("admin membership = %+v, %v; want manager", m, err)
	}
}
