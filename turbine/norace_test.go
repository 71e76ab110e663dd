//go:build !race

package turbine

const raceEnabled = false
