package pipeline

import "github.com/stbulk/stbulk/pipeline/internal/mapfile"

// Problem is one mistake in a mapping file, located at a line and column
// (1-based; 0 when the mistake is about the whole file).
type Problem = mapfile.Problem

// Problems is every mistake found in mapping files, reported at once, in
// file and position order.
type Problems = mapfile.Problems
