package tiles

import (
	"encoding/binary"
	"errors"
	"math"
)

// featureIDs reads the ids of the features of a vector tile (the
// Mapbox Vector Tile protobuf: Tile.layers = 3, Layer.features = 2,
// Feature.id = 1), without decoding their geometry.
func featureIDs(tile []byte) ([]int64, error) {
	var ids []int64
	err := fields(tile, func(num int, wire int, v uint64, b []byte) error {
		if num != 3 || wire != 2 {
			return nil
		}
		return fields(b, func(num int, wire int, v uint64, b []byte) error {
			if num != 2 || wire != 2 {
				return nil
			}
			return fields(b, func(num int, wire int, v uint64, b []byte) error {
				if num == 1 && wire == 0 && v <= math.MaxInt64 {
					ids = append(ids, int64(v))
				}
				return nil
			})
		})
	})
	return ids, err
}

var errBadTile = errors.New("malformed vector tile")

// fields calls fn with each field of a protobuf message: its number, wire
// type, and value (varint) or bytes (length-delimited).
func fields(b []byte, fn func(num, wire int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return errBadTile
		}
		b = b[n:]
		num, wire := int(key>>3), int(key&7)
		var v uint64
		var sub []byte
		switch wire {
		case 0:
			v, n = binary.Uvarint(b)
			if n <= 0 {
				return errBadTile
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errBadTile
			}
			b = b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return errBadTile
			}
			sub, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errBadTile
			}
			b = b[4:]
		default:
			return errBadTile
		}
		if err := fn(num, wire, v, sub); err != nil {
			return err
		}
	}
	return nil
}
