package sandbox

import (
	"image"
	"math"
)

// The features a Face may have beyond the basics — a beard, a mustache, glasses — and the lines
// age brings. The report's facial properties say which a face has; these draw them.

func drawBeard(img *image.RGBA, lk look) {
	g := lk.head
	var p path
	p.moveTo(g.outline(math.Pi*0.96, 2))
	p.lines(g.arc(math.Pi*0.96, math.Pi*0.04, 2, 40)...)
	p.lines(
		pt{g.cx + g.rx*0.8, g.cy + g.ry*0.3},
		pt{g.cx + g.mouthW*1.3, g.noseY() + 12},
		pt{g.cx - g.mouthW*1.3, g.noseY() + 12},
		pt{g.cx - g.rx*0.8, g.cy + g.ry*0.3},
	)
	p.close()
	fill(img, &p, alpha(shade(lk.hair, 0.9), 0.88))
}

func drawMustache(img *image.RGBA, lk look) {
	g := lk.head
	y, w := g.mouthY(), g.mouthW
	var p path
	p.moveTo(pt{g.cx - w*1.15, y + 4})
	p.quadTo(pt{g.cx - w*0.6, y - 26}, pt{g.cx, y - 20})
	p.quadTo(pt{g.cx + w*0.6, y - 26}, pt{g.cx + w*1.15, y + 4})
	p.quadTo(pt{g.cx + w*0.5, y - 10}, pt{g.cx, y - 8})
	p.quadTo(pt{g.cx - w*0.5, y - 10}, pt{g.cx - w*1.15, y + 4})
	p.close()
	fill(img, &p, shade(lk.hair, 0.85))
}

// drawLines adds the lines age brings: forehead, laugh lines, under the eyes.
func drawLines(img *image.RGBA, lk look, depth float64) {
	g := lk.head
	c := alpha(rgb(0x50, 0x28, 0x18), 0.12+0.2*depth)
	for i := range 2 {
		y := g.browY() - 26 - 12*float64(i)
		stroke(img, quadPoints(pt{g.cx - g.rx*0.45, y + 3}, pt{g.cx, y - 5}, pt{g.cx + g.rx*0.45, y + 3}, 12), 1.5, 1.5, c)
	}
	for _, side := range []float64{-1, 1} {
		stroke(img, quadPoints(pt{g.cx + side*22, g.noseY() + 2}, pt{g.cx + side*(g.mouthW+14), g.mouthY() - 14},
			pt{g.cx + side*(g.mouthW+8), g.mouthY() + 12}, 12), 2.4, 1, c)
	}
}

func drawGlasses(img *image.RGBA, lk look) {
	g := lk.head
	frame := rgb(0x26, 0x22, 0x20)
	w, h := g.eyeW*0.85, g.eyeH*2.3
	for _, side := range []float64{-1, 1} {
		e := pt{g.cx + side*g.eyeDX, g.eyeY() - 2}
		inner := roundRectPoints(e.x-w, e.y-h, e.x+w, e.y+h, 12)
		var lens, ring path
		lens.polygon(inner...)
		fill(img, &lens, alpha(rgb(0xc8, 0xdc, 0xf0), 0.12))
		ring.polygon(roundRectPoints(e.x-w-5, e.y-h-5, e.x+w+5, e.y+h+5, 16)...)
		ring.polygon(reverse(inner)...) // the other way round: a hole under the non-zero rule
		fill(img, &ring, frame)
		stroke(img, []pt{{e.x + side*(w+4), e.y - h*0.4}, {g.cx + side*(g.rx+2), e.y - h*0.5}}, 5, 4, frame)
	}
	stroke(img, quadPoints(pt{g.cx - g.eyeDX + w + 4, g.eyeY() - 6}, pt{g.cx, g.eyeY() - 16},
		pt{g.cx + g.eyeDX - w - 4, g.eyeY() - 6}, 8), 4, 4, frame)
}
