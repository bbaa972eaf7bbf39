package mysql_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/patholabel/patholabel/services/platform/mysql"
	"github.com/patholabel/patholabel/services/platform/testenv"
)

// Two transactions that lock the same two rows in opposite orders
// deadlock on real InnoDB; InTxRetry runs the one InnoDB rolled back again,
// so both commit and exactly one attempt is repeated.
func TestInTxRetryRunsADeadlockedTransactionAgain(t *testing.T) {
	db, _ := testenv.MustDB(t)
	ctx := context.Background()
	for _, q := range []string{`CREATE TABLE pair (id INT PRIMARY KEY, v INT NOT NULL)`, `INSERT INTO pair VALUES (1, 0), (2, 0)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var attempts atomic.Int32
	var ready, wg sync.WaitGroup
	ready.Add(2)
	errs := make([]error, 2)
	for i, order := range [][2]int{{1, 2}, {2, 1}} {
		wg.Go(func() {
			first := true
			errs[i] = mysql.InTxRetry(ctx, db, 3, func(tx *sql.Tx) error {
				attempts.Add(1)
				if _, err := tx.ExecContext(ctx, `UPDATE pair SET v = v + 1 WHERE id = ?`, order[0]); err != nil {
					return err
				}
				if first { // both hold their first row before either asks for the second
					first = false
					ready.Done()
					ready.Wait()
				}
				_, err := tx.ExecContext(ctx, `UPDATE pair SET v = v + 1 WHERE id = ?`, order[1])
				return err
			})
		})
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("transactions: %v, %v", errs[0], errs[1])
	}
	if n := attempts.Load(); n != 3 {
		t.Errorf("%d attempts, want 3 (one deadlock victim run again)", n)
	}
	var sum int
	if err := db.QueryRowContext(ctx, `SELECT SUM(v) FROM pair`).Scan(&sum); err != nil || sum != 4 {
		t.Errorf("rows sum to %d (%v), want 4: both transactions committed once", sum, err)
	}
	if err := mysql.InTxRetry(ctx, db, 3, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE nowhere SET v = 1`)
		return err
	}); err == nil || mysql.IsDeadlock(err) {
		t.Errorf("an error that is no deadlock: %v, want it returned as is", err)
	}
}
