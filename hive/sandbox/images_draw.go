package sandbox

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// pt is a point in image coordinates.
type pt struct{ x, y float64 }

// path is a vector outline, recorded so fill can rasterise it inside its own bounding box: a
// rasteriser the size of the whole image would cost a full-image pass per shape.
type path struct {
	ops                    []pathOp
	minX, minY, maxX, maxY float64
	started                bool
}

type pathOp struct {
	verb byte // 'M', 'L', 'Q', 'C', 'Z'
	p    [3]pt
}

func (p *path) grow(q pt) {
	if !p.started {
		p.minX, p.minY, p.maxX, p.maxY, p.started = q.x, q.y, q.x, q.y, true
		return
	}
	p.minX, p.minY = math.Min(p.minX, q.x), math.Min(p.minY, q.y)
	p.maxX, p.maxY = math.Max(p.maxX, q.x), math.Max(p.maxY, q.y)
}

func (p *path) add(verb byte, pts ...pt) {
	op := pathOp{verb: verb}
	copy(op.p[:], pts)
	for _, q := range pts {
		p.grow(q)
	}
	p.ops = append(p.ops, op)
}

func (p *path) moveTo(a pt)       { p.add('M', a) }
func (p *path) lineTo(a pt)       { p.add('L', a) }
func (p *path) quadTo(b, c pt)    { p.add('Q', b, c) }
func (p *path) cubeTo(b, c, d pt) { p.add('C', b, c, d) }
func (p *path) close()            { p.add('Z') }
func (p *path) polygon(pts ...pt) { p.moveTo(pts[0]); p.lines(pts[1:]...); p.close() }
func (p *path) lines(pts ...pt) {
	for _, q := range pts {
		p.lineTo(q)
	}
}
func (p *path) ellipse(c pt, rx, ry float64) { p.roundRect(c.x-rx, c.y-ry, c.x+rx, c.y+ry, rx, ry) }

// roundRect adds a rectangle whose corners are quarter ellipses of radii rx, ry.
func (p *path) roundRect(x0, y0, x1, y1, rx, ry float64) {
	const k = 0.5523 // a cubic's handle for a quarter circle
	p.moveTo(pt{x0 + rx, y0})
	p.lineTo(pt{x1 - rx, y0})
	p.cubeTo(pt{x1 - rx + k*rx, y0}, pt{x1, y0 + ry - k*ry}, pt{x1, y0 + ry})
	p.lineTo(pt{x1, y1 - ry})
	p.cubeTo(pt{x1, y1 - ry + k*ry}, pt{x1 - rx + k*rx, y1}, pt{x1 - rx, y1})
	p.lineTo(pt{x0 + rx, y1})
	p.cubeTo(pt{x0 + rx - k*rx, y1}, pt{x0, y1 - ry + k*ry}, pt{x0, y1 - ry})
	p.lineTo(pt{x0, y0 + ry})
	p.cubeTo(pt{x0, y0 + ry - k*ry}, pt{x0 + rx - k*rx, y0}, pt{x0 + rx, y0})
	p.close()
}

// fill paints the path's inside with c (non-zero winding, anti-aliased) over dst.
func fill(dst *image.RGBA, p *path, c color.Color) {
	if !p.started {
		return
	}
	r := image.Rect(int(math.Floor(p.minX)), int(math.Floor(p.minY)),
		int(math.Ceil(p.maxX))+1, int(math.Ceil(p.maxY))+1).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	z := vector.NewRasterizer(r.Dx(), r.Dy())
	ox, oy := float64(r.Min.X), float64(r.Min.Y)
	f := func(q pt) (float32, float32) { return float32(q.x - ox), float32(q.y - oy) }
	for _, op := range p.ops {
		switch op.verb {
		case 'M':
			z.MoveTo(f(op.p[0]))
		case 'L':
			z.LineTo(f(op.p[0]))
		case 'Q':
			bx, by := f(op.p[0])
			cx, cy := f(op.p[1])
			z.QuadTo(bx, by, cx, cy)
		case 'C':
			bx, by := f(op.p[0])
			cx, cy := f(op.p[1])
			dx, dy := f(op.p[2])
			z.CubeTo(bx, by, cx, cy, dx, dy)
		case 'Z':
			z.ClosePath()
		}
	}
	z.Draw(dst, r, image.NewUniform(c), image.Point{})
}

func fillEllipse(dst *image.RGBA, c pt, rx, ry float64, col color.Color) {
	var p path
	p.ellipse(c, rx, ry)
	fill(dst, &p, col)
}

// fillRect paints an axis-aligned rectangle. Whole-pixel edges skip the rasteriser, which
// would otherwise accumulate coverage over the whole area for nothing.
func fillRect(dst *image.RGBA, x0, y0, x1, y1 float64, col color.Color) {
	if x0 == math.Trunc(x0) && y0 == math.Trunc(y0) && x1 == math.Trunc(x1) && y1 == math.Trunc(y1) {
		r := image.Rect(int(x0), int(y0), int(x1), int(y1))
		draw.Draw(dst, r, image.NewUniform(col), image.Point{}, draw.Over)
		return
	}
	var p path
	p.polygon(pt{x0, y0}, pt{x1, y0}, pt{x1, y1}, pt{x0, y1})
	fill(dst, &p, col)
}

// stroke paints a line along pts, w0 wide at the start tapering (or swelling) to w1 at the end:
// an outline made of both sides of the line, so strokes of any shape fill in one pass.
func stroke(dst *image.RGBA, pts []pt, w0, w1 float64, col color.Color) {
	if len(pts) < 2 {
		return
	}
	left := make([]pt, len(pts))
	right := make([]pt, len(pts))
	for i := range pts {
		a, b := pts[max(i-1, 0)], pts[min(i+1, len(pts)-1)]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			l = 1
		}
		w := (w0 + (w1-w0)*float64(i)/float64(len(pts)-1)) / 2
		nx, ny := -dy/l*w, dx/l*w
		left[i] = pt{pts[i].x + nx, pts[i].y + ny}
		right[i] = pt{pts[i].x - nx, pts[i].y - ny}
	}
	var p path
	p.moveTo(left[0])
	p.lines(left[1:]...)
	for i := len(right) - 1; i >= 0; i-- {
		p.lineTo(right[i])
	}
	p.close()
	fill(dst, &p, col)
}

// quadPoints samples the quadratic Bézier a–b–c (b the control point) at n+1 points.
func quadPoints(a, b, c pt, n int) []pt {
	out := make([]pt, n+1)
	for i := range out {
		t := float64(i) / float64(n)
		u := 1 - t
		out[i] = pt{u*u*a.x + 2*u*t*b.x + t*t*c.x, u*u*a.y + 2*u*t*b.y + t*t*c.y}
	}
	return out
}

// alpha returns c with opacity a (0–1), premultiplied as image/color wants.
func alpha(c color.RGBA, a float64) color.RGBA {
	f := func(v uint8) uint8 { return uint8(float64(v)*a + 0.5) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), f(c.A)}
}

// mix blends a towards b by t (0–1).
func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t + 0.5) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), f(a.A, b.A)}
}

// shade darkens (f < 1) or lightens (f > 1) an opaque colour.
func shade(c color.RGBA, f float64) color.RGBA {
	g := func(v uint8) uint8 { return uint8(math.Min(255, float64(v)*f) + 0.5) }
	return color.RGBA{g(c.R), g(c.G), g(c.B), c.A}
}

// verticalGradient fills r from top to bottom colour, row by row.
func verticalGradient(dst *image.RGBA, r image.Rectangle, top, bottom color.RGBA) {
	r = r.Intersect(dst.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		c := mix(top, bottom, float64(y-r.Min.Y)/float64(max(r.Dy()-1, 1)))
		row := dst.Pix[dst.PixOffset(r.Min.X, y) : dst.PixOffset(r.Max.X-1, y)+4]
		for i := 0; i < len(row); i += 4 {
			row[i], row[i+1], row[i+2], row[i+3] = c.R, c.G, c.B, c.A
		}
	}
}

// boxBlur blurs img in place with a box of radius r, horizontally then vertically; three passes
// approximate a Gaussian.
func boxBlur(img *image.RGBA, r int) {
	b := img.Bounds()
	buf := make([]uint8, len(img.Pix))
	for pass := 0; pass < 3; pass++ {
		blurLine(img.Pix, buf, b.Dx(), b.Dy(), 4, img.Stride, r)
		blurLine(buf, img.Pix, b.Dy(), b.Dx(), img.Stride, 4, r)
	}
}

// blurLine runs a sliding box of radius r along n lines of length m: step is the distance between
// neighbours on a line, lineStep between lines. Edges repeat their last pixel.
func blurLine(src, dst []uint8, m, n, step, lineStep, r int) {
	width := 2*r + 1
	for line := 0; line < n; line++ {
		base := line * lineStep
		for ch := 0; ch < 4; ch++ {
			at := func(i int) int { return int(src[base+min(max(i, 0), m-1)*step+ch]) }
			sum := 0
			for i := -r; i <= r; i++ {
				sum += at(i)
			}
			for i := 0; i < m; i++ {
				dst[base+i*step+ch] = uint8(sum / width)
				sum += at(i+r+1) - at(i-r)
			}
		}
	}
}

// roundRectPoints samples a rounded rectangle's outline, clockwise on screen.
func roundRectPoints(x0, y0, x1, y1, r float64) []pt {
	corners := []struct{ cx, cy, a float64 }{
		{x1 - r, y0 + r, -math.Pi / 2}, {x1 - r, y1 - r, 0}, {x0 + r, y1 - r, math.Pi / 2}, {x0 + r, y0 + r, math.Pi},
	}
	var out []pt
	for _, c := range corners {
		for i := 0; i <= 6; i++ {
			a := c.a + math.Pi/2*float64(i)/6
			out = append(out, pt{c.cx + r*math.Cos(a), c.cy + r*math.Sin(a)})
		}
	}
	return out
}

func reverse(pts []pt) []pt {
	out := make([]pt, len(pts))
	for i, q := range pts {
		out[len(pts)-1-i] = q
	}
	return out
}

// chaikin smooths a polyline by cutting its corners n times; the ends stay where they are.
func chaikin(pts []pt, n int) []pt {
	for ; n > 0; n-- {
		out := []pt{pts[0]}
		for i := 0; i+1 < len(pts); i++ {
			a, b := pts[i], pts[i+1]
			out = append(out, pt{0.75*a.x + 0.25*b.x, 0.75*a.y + 0.25*b.y}, pt{0.25*a.x + 0.75*b.x, 0.25*a.y + 0.75*b.y})
		}
		pts = append(out, pts[len(pts)-1])
	}
	return pts
}
