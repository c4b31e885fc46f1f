package sandbox

import (
	"image"
	"math"
)

// drawBackHair paints what of long hair falls behind the head and onto the shoulders.
func drawBackHair(img *image.RGBA, lk look) {
	g := lk.head
	var bottom, spread float64
	switch lk.hairStyle {
	case hairLong, hairLongFringe:
		bottom, spread = g.cy+g.ry+100, 30
	case hairBob:
		bottom, spread = g.cy+g.ry*0.8, 26
	default:
		return
	}
	top := g.arc(math.Pi, 2*math.Pi, 16, 40)
	right := []pt{
		{g.cx + g.rx + spread*0.8, g.cy + 0.35*g.ry},
		{g.cx + g.rx + spread, math.Min(g.cy+g.ry*0.9, bottom-20)},
		{g.cx + g.rx + spread*0.6, bottom},
		{g.cx + g.rx*0.4, bottom + 8},
	}
	left := []pt{
		{g.cx - g.rx*0.4, bottom + 8},
		{g.cx - g.rx - spread*0.6, bottom},
		{g.cx - g.rx - spread, math.Min(g.cy+g.ry*0.9, bottom-20)},
		{g.cx - g.rx - spread*0.8, g.cy + 0.35*g.ry},
	}
	outline := append(append(top, chaikin(append([]pt{top[len(top)-1]}, right...), 2)...), chaikin(append(left, top[0]), 2)...)
	var p path
	p.polygon(outline...)
	fill(img, &p, shade(lk.hair, 0.82))
}

// hairCut is the front of a hairstyle: how far the hair stands off the scalp, how far down the
// sides it reaches (an angle below the eyes' level) and its hairline, right to left, in units of
// the head's radii from its centre.
type hairCut struct {
	thickness, reach float64
	hairline         []pt
}

// hairCuts are the styles with a cap of hair over the crown; bald heads have none.
var hairCuts = map[hairStyle]hairCut{
	hairSidePart:   {16, 0.12, []pt{{0.93, -0.12}, {0.8, -0.42}, {0.35, -0.58}, {-0.28, -0.66}, {-0.5, -0.5}, {-0.85, -0.38}, {-0.93, -0.12}}},
	hairCrew:       {9, 0.05, []pt{{0.92, -0.2}, {0.6, -0.56}, {0, -0.62}, {-0.6, -0.56}, {-0.92, -0.2}}},
	hairReceding:   {7, 0, []pt{{0.92, -0.25}, {0.7, -0.55}, {0.45, -0.82}, {0.15, -0.72}, {-0.15, -0.72}, {-0.45, -0.82}, {-0.7, -0.55}, {-0.92, -0.25}}},
	hairFringe:     {14, 0.15, []pt{{0.92, -0.15}, {0.8, -0.3}, {0.4, -0.36}, {0, -0.33}, {-0.4, -0.37}, {-0.8, -0.3}, {-0.92, -0.15}}},
	hairLong:       {18, 0.55, []pt{{0.92, 0.3}, {0.86, -0.05}, {0.7, -0.42}, {0.25, -0.6}, {0.1, -0.7}, {-0.3, -0.6}, {-0.75, -0.42}, {-0.88, -0.05}, {-0.92, 0.3}}},
	hairBob:        {18, 0.45, []pt{{0.9, 0.2}, {0.84, -0.1}, {0.62, -0.46}, {0, -0.66}, {-0.62, -0.46}, {-0.84, -0.1}, {-0.9, 0.2}}},
	hairLongFringe: {16, 0.5, []pt{{0.92, 0.3}, {0.86, -0.05}, {0.8, -0.3}, {0.4, -0.36}, {0, -0.33}, {-0.4, -0.37}, {-0.8, -0.3}, {-0.88, -0.05}, {-0.92, 0.3}}},
	hairBun:        {10, 0.05, []pt{{0.92, -0.2}, {0.6, -0.56}, {0, -0.64}, {-0.6, -0.56}, {-0.92, -0.2}}},
}

// drawFrontHair paints the hair over the crown and forehead, a bun or, on a bald head, what is
// left above the ears.
func drawFrontHair(img *image.RGBA, lk look) {
	g := lk.head
	if lk.hairStyle == hairBald {
		for _, side := range []float64{-1, 1} {
			a0, a1 := math.Pi*0.97, math.Pi*1.2
			if side > 0 {
				a0, a1 = math.Pi*0.03, -math.Pi*0.2
			}
			var p path
			p.polygon(append(g.arc(a0, a1, 6, 12), reverse(g.arc(a0, a1, -12, 12))...)...)
			fill(img, &p, alpha(lk.hair, 0.9))
		}
		return
	}
	cut := hairCuts[lk.hairStyle]
	if lk.hairStyle == hairBun {
		fillEllipse(img, pt{g.cx, g.cy - g.ry - 26}, 46, 38, shade(lk.hair, 0.9))
	}
	outer := g.arc(math.Pi-cut.reach, 2*math.Pi+cut.reach, cut.thickness, 56)
	line := []pt{g.outline(2*math.Pi+cut.reach, -2)}
	for _, h := range cut.hairline {
		line = append(line, pt{g.cx + h.x*g.rx, g.cy + h.y*g.ry})
	}
	line = chaikin(append(line, g.outline(math.Pi-cut.reach, -2)), 3)
	var p path
	p.polygon(append(outer, line...)...)
	fill(img, &p, lk.hair)
	// Light catching the crown.
	stroke(img, g.arc(-math.Pi*0.78, -math.Pi*0.4, cut.thickness*0.35, 20), 2, 8, alpha(shade(lk.hair, 1.8), 0.18))
}
