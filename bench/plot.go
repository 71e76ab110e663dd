package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// writePlot draws two panels into one PNG: transactions per second over
// time (sent, and confirmed by the second they were confirmed in), and the
// distribution of send→processed/confirmed/finalized latency as cumulative
// curves, which show the median and the tail at a glance.
func writePlot(r *result, path string) error {
	rate := plot.New()
	rate.Title.Text = fmt.Sprintf("%s: tx/s per second (commit %s)", r.Scenario, r.Commit)
	rate.X.Label.Text = "seconds since the clock started"
	rate.Y.Label.Text = "tx/s"
	rate.Y.Min = 0
	var sent, conf plotter.XYs
	for _, s := range r.PerSecond {
		sent = append(sent, plotter.XY{X: float64(s.T) + 0.5, Y: float64(s.Sent)})
		conf = append(conf, plotter.XY{X: float64(s.T) + 0.5, Y: float64(s.Confirmed)})
	}
	if err := addLine(rate, "sent", sent, color.RGBA{R: 150, G: 150, B: 150, A: 255}); err != nil {
		return err
	}
	if err := addLine(rate, "confirmed", conf, color.RGBA{R: 20, G: 90, B: 200, A: 255}); err != nil {
		return err
	}
	rate.Legend.Top = true
	rate.Add(plotter.NewGrid())

	lat := plot.New()
	lat.Title.Text = "latency from send: cumulative share of transactions"
	lat.X.Label.Text = "ms (log scale)"
	// Processed and confirmed take a slot or two, finalized some thirty:
	// only a log axis shows all three.
	lat.X.Scale = plot.LogScale{}
	lat.X.Tick.Marker = plot.TickerFunc(logTicks)
	lat.Y.Label.Text = "share"
	lat.Y.Min, lat.Y.Max = 0, 1
	colors := map[string]color.Color{
		"processed": color.RGBA{R: 40, G: 160, B: 60, A: 255},
		"confirmed": color.RGBA{R: 20, G: 90, B: 200, A: 255},
		"finalized": color.RGBA{R: 200, G: 60, B: 40, A: 255},
	}
	for _, lv := range []string{"processed", "confirmed", "finalized"} {
		if err := addLine(lat, lv, cdf(r.latencies[lv]), colors[lv]); err != nil {
			return err
		}
	}
	lat.Legend.Top = true
	lat.Legend.Left = false
	lat.Add(plotter.NewGrid())

	img := vgimg.New(vg.Points(800), vg.Points(800))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 6 * vg.Millimeter,
		PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
	plots := [][]*plot.Plot{{rate}, {lat}}
	canvases := plot.Align(plots, tiles, dc)
	for j := range plots {
		plots[j][0].Draw(canvases[j][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// logTicks labels 1, 2 and 5 times each power of ten, which a reader can
// interpolate between; plot.LogTicks labels only the powers themselves.
func logTicks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
		for m := 1; m <= 9; m++ {
			v := p * float64(m)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

func addLine(p *plot.Plot, name string, xys plotter.XYs, c color.Color) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// cdf samples the cumulative distribution of ms at up to 500 points, so a
// run of a million transactions draws as fast as a small one.
func cdf(ms []float64) plotter.XYs {
	if len(ms) == 0 {
		return nil
	}
	s := slices.Clone(ms)
	slices.Sort(s)
	const points = 500
	step := max(1, len(s)/points)
	var out plotter.XYs
	// A log axis cannot show zero; nothing real is faster than 0.1 ms.
	x := func(v float64) float64 { return max(v, 0.1) }
	for i := 0; i < len(s); i += step {
		out = append(out, plotter.XY{X: x(s[i]), Y: float64(i+1) / float64(len(s))})
	}
	out = append(out, plotter.XY{X: x(s[len(s)-1]), Y: 1})
	return out
}
