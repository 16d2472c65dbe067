// Text as a user types it: fold() drops Vietnamese diacritics and case so
// that "cua dai" finds "Cửa Đại" (đ and Đ read as d), and matches() asks
// that every typed word appear in the text.

export function fold(s) {
  return String(s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

// matches reports whether every word of the folded query q is in text.
export function matches(text, q) {
  const hay = fold(text);
  return fold(q).split(' ').filter(Boolean).every((w) => hay.includes(w));
}
