// Package photo turns a picture from the tablet's camera or gallery into
// a JPEG small enough to seal, keep and send: at most MaxSide pixels on
// its longer side and at most a given number of bytes. The browser does
// the work (createImageBitmap decodes and scales, an OffscreenCanvas
// encodes), off the page's main thread where it can, so the screen stays
// responsive while a 12-megapixel photo is processed. Natively it only
// compiles: the server pre-renders the screens that use it.
package photo

import (
	"context"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// MaxSide is the longer side of a shrunk photo, in pixels: enough to see
// a coat's matting on a tablet, and about 300 KB as a JPEG.
const MaxSide = 1600

// Result is a shrunk photo.
type Result struct {
	JPEG          []byte
	Width, Height int
}

// steps are the scale and JPEG quality tried in turn until the photo fits:
// most fit at the first.
var steps = []struct{ scale, quality float64 }{
	{1, 0.82}, {1, 0.7}, {1, 0.55}, {0.75, 0.6}, {0.5, 0.6}, {0.35, 0.5},
}

// Shrink reads file (a browser File or Blob holding an image), scales it
// to at most MaxSide pixels on its longer side, turned upright as its
// EXIF data says, and encodes it as a JPEG of at most maxBytes. It waits
// for the browser: call it from a goroutine, not from an event handler.
func Shrink(ctx context.Context, file app.Value, maxBytes int) (Result, error) {
	if !app.Window().Get("OffscreenCanvas").Truthy() {
		return Result{}, errors.New("this browser cannot prepare photos: update it (Safari 16.4, Chrome 69 or later)")
	}
	src, err := await(ctx, app.Window().Call("createImageBitmap", file))
	if err != nil {
		return Result{}, fmt.Errorf("this file is not a picture this browser can read (%v): choose a JPEG or PNG photo", err)
	}
	defer src.Call("close")
	w, h := src.Get("width").Int(), src.Get("height").Int()
	if w <= 0 || h <= 0 {
		return Result{}, errors.New("the picture is empty: take it again")
	}
	fit := min(1, float64(MaxSide)/float64(max(w, h)))
	for _, st := range steps {
		tw, th := max(1, int(float64(w)*fit*st.scale+0.5)), max(1, int(float64(h)*fit*st.scale+0.5))
		jpeg, err := encode(ctx, src, tw, th, st.quality, maxBytes)
		if err != nil {
			return Result{}, err
		}
		if jpeg != nil {
			return Result{JPEG: jpeg, Width: tw, Height: th}, nil
		}
	}
	return Result{}, fmt.Errorf("the photo does not fit in %d KB even small: take it again", maxBytes/1000)
}

// encode scales src to w×h and encodes it at quality; it returns nil if
// the JPEG is larger than maxBytes.
func encode(ctx context.Context, src app.Value, w, h int, quality float64, maxBytes int) ([]byte, error) {
	scaled, err := await(ctx, app.Window().Call("createImageBitmap", src, map[string]any{
		"resizeWidth": w, "resizeHeight": h, "resizeQuality": "high",
	}))
	if err != nil {
		return nil, fmt.Errorf("scale the photo: %w", err)
	}
	defer scaled.Call("close")
	canvas := app.Window().Get("OffscreenCanvas").New(w, h)
	canvas.Call("getContext", "2d").Call("drawImage", scaled, 0, 0)
	blob, err := await(ctx, canvas.Call("convertToBlob", map[string]any{"type": "image/jpeg", "quality": quality}))
	if err != nil {
		return nil, fmt.Errorf("encode the photo: %w", err)
	}
	if blob.Get("size").Int() > maxBytes {
		return nil, nil
	}
	buf, err := await(ctx, blob.Call("arrayBuffer"))
	if err != nil {
		return nil, fmt.Errorf("read the photo: %w", err)
	}
	arr := app.Window().Get("Uint8Array").New(buf)
	out := make([]byte, arr.Length())
	app.CopyBytesToGo(out, arr)
	return out, nil
}

// await waits for promise p. The browser goes on running meanwhile; only
// the calling goroutine waits.
func await(ctx context.Context, p app.Value) (app.Value, error) {
	type outcome struct {
		v   app.Value
		err error
	}
	done := make(chan outcome, 1)
	var ok, fail app.Func
	ok = app.FuncOf(func(_ app.Value, args []app.Value) any {
		done <- outcome{v: args[0]}
		return nil
	})
	fail = app.FuncOf(func(_ app.Value, args []app.Value) any {
		msg := "failed"
		if len(args) > 0 && args[0].Truthy() && args[0].Get("message").Truthy() {
			msg = args[0].Get("message").String()
		}
		done <- outcome{err: errors.New(msg)}
		return nil
	})
	release := func() { ok.Release(); fail.Release() }
	p.Call("then", ok, fail)
	select {
	case o := <-done:
		release()
		return o.v, o.err
	case <-ctx.Done():
		go func() { <-done; release() }()
		return nil, ctx.Err()
	}
}
