// The login screen: Vietnamese first, English on request. On success the
// session cookie is set by the server and we go to the map.

const words = {
  vi: {
    title: 'Bản đồ địa bàn ma túy', user: 'Tên đăng nhập', password: 'Mật khẩu', submit: 'Đăng nhập',
    bad: 'Sai tên đăng nhập hoặc mật khẩu.', slow: 'Đăng nhập sai quá nhiều lần; vui lòng thử lại sau.',
    failed: 'Không đăng nhập được', other: 'English',
    busy: 'Máy chủ đang bận; tự thử lại sau {s} giây…',
  },
  en: {
    title: 'Drug hotspot map', user: 'User name', password: 'Password', submit: 'Log in',
    bad: 'Wrong user name or password.', slow: 'Too many failed logins; try again later.',
    failed: 'Could not log in', other: 'Tiếng Việt',
    busy: 'The server is busy; trying again in {s} s…',
  },
};

let lang = localStorage.getItem('diaban.lang') === 'en' ? 'en' : 'vi';

function render() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = words[lang][el.dataset.i18n];
  document.getElementById('login-lang').textContent = words[lang].other;
  document.title = `${words[lang].submit} — diaban`;
}

function showError(text) {
  const el = document.getElementById('login-error');
  el.textContent = text;
  el.hidden = false;
}

document.getElementById('login-lang').addEventListener('click', () => {
  lang = lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem('diaban.lang', lang);
  render();
});

let busyRetries = 0;

document.getElementById('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const username = document.getElementById('login-user').value.trim();
  const password = document.getElementById('login-pass').value;
  let res;
  try {
    res = await fetch('/api/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch (err) {
    showError(`${words[lang].failed}: ${err.message}`);
    return;
  }
  if (res.ok) {
    const next = new URLSearchParams(window.location.search).get('next');
    window.location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    return;
  }
  if (res.status === 401) showError(words[lang].bad);
  else if (res.status === 429) showError(words[lang].slow);
  else if (res.status === 503 && busyRetries < 5) {
    // Too many logins being checked at once (the server bounds the password
    // hashes it runs): no attempt was counted, so try again when it says.
    busyRetries++;
    const s = Math.min(30, Math.max(1, parseInt(res.headers.get('Retry-After'), 10) || 1));
    showError(words[lang].busy.replace('{s}', s));
    setTimeout(() => document.getElementById('login-form').requestSubmit(), s * 1000);
  }
  else showError(`${words[lang].failed} (HTTP ${res.status})`);
});

render();
