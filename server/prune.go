package main

import (
	"context"
	"log/slog"
	"time"

	"pawfile/server/store"
)

// pruneEvery is how often the server removes what it keeps only for a
// while (see store.Pruner).
const pruneEvery = time.Hour

// prune runs p at start and every pruneEvery until ctx ends.
func prune(ctx context.Context, p store.Pruner, log *slog.Logger) {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		n, err := p.Prune(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("prune", "err", err)
		case n.Uploads+n.Outbox > 0:
			log.Info("pruned", "unfinished_uploads", n.Uploads, "outbox_ids", n.Outbox)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
