package redisstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// A record's data field starts with a format byte.
const (
	formatPlain  byte = 0 // the session bytes follow, in clear
	formatSealed byte = 1 // key ID, then nonce, ciphertext and tag of AES-256-GCM
)

// keyIDSize is the length of a key ID: the first bytes of the key's
// SHA-256, enough to pick the key among a few, and telling nothing of it.
const keyIDSize = 4

// sealedHeaderSize is the format byte and the key ID.
const sealedHeaderSize = 1 + keyIDSize

// aadLabel starts the additional data of every seal, so that a ciphertext
// made for another purpose with the same key does not open here.
const aadLabel = "pbxauth/redisstore record v1"

// keyID names a key in a sealed record.
type keyID [keyIDSize]byte

func (id keyID) String() string { return hex.EncodeToString(id[:]) }

func idOf(key []byte) keyID {
	sum := sha256.Sum256(key)
	return keyID(sum[:keyIDSize])
}

// sealer seals records with the current key and opens them with any known
// key. It is safe for concurrent use.
type sealer struct {
	current keyID
	aeads   map[keyID][]cipher.AEAD // by ID; the current key's first
}

// newSealer checks the keys' lengths (naming the key at fault, never
// printing it) and prepares AES-256-GCM with random nonces for each.
func newSealer(current []byte, previous [][]byte) (*sealer, error) {
	s := &sealer{current: idOf(current), aeads: make(map[keyID][]cipher.AEAD)}
	if err := s.add("EncryptionKey", current); err != nil {
		return nil, err
	}
	for i, k := range previous {
		if err := s.add(fmt.Sprintf("PreviousKeys[%d]", i), k); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *sealer) add(name string, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("redisstore: New: %s is %d bytes long; AES-256-GCM needs %d", name, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("redisstore: New: %s: %w", name, err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return fmt.Errorf("redisstore: New: %s: %w", name, err)
	}
	id := idOf(key)
	s.aeads[id] = append(s.aeads[id], aead)
	return nil
}

// seal returns the data field for session: format, key ID, then the
// sealed session. The additional data binds it to its account, fingerprint
// and expiry: moved to another account or given another expiry in Redis,
// it no longer opens.
func (s *sealer) seal(account, fingerprint string, expMillis int64, session []byte) []byte {
	header := append([]byte{formatSealed}, s.current[:]...)
	aead := s.aeads[s.current][0]
	out := make([]byte, 0, len(header)+len(session)+aead.Overhead())
	out = append(out, header...)
	return aead.Seal(out, nil, session, additionalData(header, account, fingerprint, expMillis))
}

// open returns the session sealed in data. A record sealed with a key the
// store does not know holds ErrUnknownKey; one that does not open with the
// key it names holds ErrCorruptRecord.
func (s *sealer) open(account, fingerprint string, expMillis int64, data []byte) ([]byte, error) {
	if len(data) < sealedHeaderSize {
		return nil, fmt.Errorf("%w: sealed data is %d bytes, shorter than its header", ErrCorruptRecord, len(data))
	}
	header := data[:sealedHeaderSize]
	id := keyID(header[1:])
	aeads := s.aeads[id]
	if len(aeads) == 0 {
		return nil, fmt.Errorf("%w: record sealed with key %v, which is neither EncryptionKey nor one of PreviousKeys", ErrUnknownKey, id)
	}
	ad := additionalData(header, account, fingerprint, expMillis)
	for _, aead := range aeads {
		if session, err := aead.Open(nil, nil, data[sealedHeaderSize:], ad); err == nil {
			return session, nil
		}
	}
	return nil, fmt.Errorf("%w: record sealed with key %v does not open: altered, or copied from another account", ErrCorruptRecord, id)
}

// additionalData is what a seal authenticates besides the session: the
// header, and the account, fingerprint and expiry the record is stored
// with, each length-prefixed so no two differ only in where one ends.
func additionalData(header []byte, account, fingerprint string, expMillis int64) []byte {
	ad := make([]byte, 0, len(aadLabel)+len(header)+len(account)+len(fingerprint)+3*binary.MaxVarintLen64)
	ad = append(ad, aadLabel...)
	ad = append(ad, header...)
	ad = binary.AppendUvarint(ad, uint64(len(account)))
	ad = append(ad, account...)
	ad = binary.AppendUvarint(ad, uint64(len(fingerprint)))
	ad = append(ad, fingerprint...)
	return binary.BigEndian.AppendUint64(ad, uint64(expMillis))
}
