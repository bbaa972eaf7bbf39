package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/patholabel/patholabel/services/auth"
	"github.com/patholabel/patholabel/services/auth/mysql"
	"github.com/patholabel/patholabel/services/platform"
	"github.com/patholabel/patholabel/services/platform/access"
	"github.com/patholabel/patholabel/services/platform/app"
	"github.com/patholabel/patholabel/services/platform/config"
	platmysql "github.com/patholabel/patholabel/services/platform/mysql"
)

// seedDemoCommand is `auth seed-demo`: create the demo project if missing.
func seedDemoCommand(out io.Writer) app.Command {
	return app.Command{Name: "seed-demo", Run: func(ctx context.Context, r *config.Reader, base app.Base, _ *slog.Logger, _ []string) error {
		cfg := readConfig(r)
		if err := r.Err(); err != nil {
			return err
		}
		db, err := platmysql.Open(base.MySQL)
		if err != nil {
			return err
		}
		defer db.Close()
		line, err := seedDemo(ctx, mysql.New(db, time.Now, nil), cfg.AdminPassword)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, line)
		return nil
	}}
}

// seedDemo creates what is missing of the demo project through the same
// store calls the API makes, and says what it did. The bootstrap admin is
// created first when a password is configured, so seeding works before
// the service has ever started.
func seedDemo(ctx context.Context, store *mysql.Store, adminPassword string) (string, error) {
	if adminPassword != "" {
		if _, err := store.EnsureAdmin(ctx, adminPassword); err != nil {
			return "", err
		}
	}
	admin, err := store.UserByUsername(ctx, "admin")
	if err != nil {
		return "", fmt.Errorf("demo needs the admin account (set PATHOLABEL_ADMIN_PASSWORD): %w", err)
	}
	actor := auth.Actor{ID: admin.ID, Name: "seed-demo"}
	var did []string
	p, created, err := ensureDemoProject(ctx, store, actor)
	if err != nil {
		return "", err
	}
	if created {
		did = append(did, "created the project")
	}
	n, err := ensureDemoCategories(ctx, store, actor, p.ID)
	if err != nil {
		return "", err
	}
	if n > 0 {
		did = append(did, fmt.Sprintf("added %d categories", n))
	}
	added, err := ensureManager(ctx, store, actor, p.ID, admin.ID)
	if err != nil {
		return "", err
	}
	if added {
		did = append(did, "made admin its manager")
	}
	if len(did) == 0 {
		return fmt.Sprintf("demo project %q (id %d) already complete; nothing changed", p.Name, p.ID), nil
	}
	return fmt.Sprintf("demo project %q (id %d): %s", p.Name, p.ID, strings.Join(did, ", ")), nil
}

func ensureDemoProject(ctx context.Context, store *mysql.Store, actor auth.Actor) (*auth.Project, bool, error) {
	p, err := store.ProjectByName(ctx, auth.DemoProject.Name)
	if platform.ErrorCode(err) != platform.ENOTFOUND {
		return p, false, err
	}
	p, err = store.CreateProject(ctx, actor, auth.DemoProject)
	return p, err == nil, err
}

// ensureDemoCategories adds the demo categories whose class id is not in
// the project yet; existing ones are left as an operator may have edited them.
func ensureDemoCategories(ctx context.Context, store *mysql.Store, actor auth.Actor, project int64) (int, error) {
	have, err := store.Categories(ctx, auth.CategoryFilter{Project: project, IncludeArchived: true})
	if err != nil {
		return 0, err
	}
	used := map[int]bool{}
	for _, c := range have {
		used[c.ClassID] = true
	}
	n := 0
	for _, in := range auth.DemoCategories() {
		if used[*in.ClassID] {
			continue
		}
		if _, err := store.CreateCategory(ctx, actor, project, in); err != nil {
			return n, fmt.Errorf("demo category %s: %w", in.Name, err)
		}
		n++
	}
	return n, nil
}

func ensureManager(ctx context.Context, store *mysql.Store, actor auth.Actor, project, user int64) (bool, error) {
	m, err := store.Member(ctx, project, user)
	switch {
	case err == nil && m.Role == access.ProjectManager:
		return false, nil
	case err == nil:
		_, err = store.SetMemberRole(ctx, actor, project, user, access.ProjectManager)
		return err == nil, err
	case platform.ErrorCode(err) == platform.ENOTFOUND:
		_, err = store.AddMember(ctx, actor, project, auth.MemberInput{UserID: user, Role: access.ProjectManager})
		return err == nil, err
	}
	return false, err
}
