/*
 * INFO CIG chat bubble. A host page adds one tag:
 *   <script src="https://<info-cig>/loader.js" data-token-callback="getInfoCigToken"
 *           data-entry="omnia" data-lang="it" async></script>
 * or calls InfoCig.init({ getToken, entry, lang, context }).
 * getToken: () => Promise<string> (a JWT for the signed-in person); it is asked
 * only when the chat needs it and is handed to the INFO CIG frame only.
 *
 * API: InfoCig.open(), close(), setContext({protocol, matricola, step}),
 * setLanguage('it'|'de'|'en', or a tag like 'de-IT'), on(event, fn) with events ready, opened, closed,
 * unread ({count}), assigned ({conversationId, advisorName}), queue, ended
 * ({conversationId, ticket?: {protocol, sede}} — ticket when the advisor passed
 * the question to the sede as a Linea INPS request).
 * Messages from the frame are accepted only from its window and the INFO CIG origin.
 *
 * Language: the host page's (data-lang, init({lang}), setLanguage) when it names one; otherwise
 * the chat decides (the sign-in token's `lang` claim, else the browser's languages) and tells
 * the bubble, whose label follows.
 */
(function () {
  'use strict';
  if (window.InfoCig && window.InfoCig.version) return;
  var script = document.currentScript;
  var src = new URL(script ? script.src : 'loader.js', location.href);
  var ORIGIN = src.origin;
  var data = (script && script.dataset) || {};
  var KEY = 'infocig.' + ORIGIN;
  var TEXT = {
    it: { open: 'Apri la chat INFO CIG', hide: 'Riduci la chat INFO CIG', unread: '{n} messaggi non letti', unreadOne: '1 messaggio non letto', title: 'Chat INFO CIG con i consulenti INPS' },
    de: { open: 'Den Chat von INFO CIG öffnen', hide: 'Den Chat von INFO CIG minimieren', unread: '{n} ungelesene Nachrichten', unreadOne: '1 ungelesene Nachricht', title: 'Chat von INFO CIG mit der Beratung des NISF/INPS' },
    en: { open: 'Open the INFO CIG chat', hide: 'Minimise the INFO CIG chat', unread: '{n} unread messages', unreadOne: '1 unread message', title: 'INFO CIG chat with INPS advisors' },
  };
  // The host page's language; without one, the browser's (German for a South Tyrolean who prefers it).
  // hostLang: the host page named the language; only then is it handed to the chat, which otherwise chooses.
  var st = { lang: pick(data.lang) || browserLang(), hostLang: !!pick(data.lang), entry: data.entry || 'other', context: {}, getToken: null, isOpen: false, unread: 0, ready: false };
  var listeners = {};
  var bubble, badge, panel, frame;
  // Where loader.css makes the panel fill the screen (a phone, or a page zoomed to 200 %): there it is
  // the only thing to see, so the host page under it is made inert while it is open. Otherwise Tab
  // leaves the chat for the host's controls hidden under the panel (WCAG 2.4.11) and a screen reader
  // reads a page nobody can see.
  var FULL_SCREEN = '(max-width: 480px), (max-height: 520px)';
  /** The host page's elements this made inert (and only those: an element the host made inert stays so). */
  var covered = [];

  /** 'it', 'de' or 'en' for a tag like 'de-IT' or 'en_GB'; null for any other. */
  function pick(tag) {
    var base = String(tag || '').toLowerCase().split(/[-_]/)[0];
    return Object.prototype.hasOwnProperty.call(TEXT, base) ? base : null;
  }
  /** The first of the browser's languages (most preferred first) the chat speaks; Italian if none. */
  function browserLang() {
    var tags = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < tags.length; i++) if (pick(tags[i])) return pick(tags[i]);
    return 'it';
  }
  function txt(k) {
    return (TEXT[st.lang] || TEXT.it)[k];
  }
  function emit(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { setTimeout(function () { throw e; }); }
    });
  }
  function store(k, v) {
    try { v == null ? sessionStorage.removeItem(KEY + k) : sessionStorage.setItem(KEY + k, v); } catch (e) { /* storage off */ }
  }
  function stored(k) {
    try { return sessionStorage.getItem(KEY + k); } catch (e) { return null; }
  }
  function el(tag, cls) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    return e;
  }
  function svg() {
    var ns = 'http://www.w3.org/2000/svg';
    var s = document.createElementNS(ns, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('fill', 'currentColor');
    p.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 5v2h10V8zm0 4v2h7v-2z');
    s.appendChild(p);
    return s;
  }

  function tokenFn() {
    if (st.getToken) return st.getToken;
    var name = data.tokenCallback;
    return name && typeof window[name] === 'function' ? window[name] : null;
  }

  function post(type, extra) {
    if (!frame || !st.ready) return;
    var msg = { infocig: 1, type: type };
    for (var k in extra) msg[k] = extra[k];
    frame.contentWindow.postMessage(msg, ORIGIN);
  }

  function label() {
    var l = st.isOpen ? txt('hide') : txt('open');
    if (st.unread) l += ', ' + (st.unread === 1 ? txt('unreadOne') : txt('unread').replace('{n}', st.unread));
    bubble.setAttribute('aria-label', l);
    bubble.lang = st.lang; // its label is in the chat's language, which may not be the host page's
    bubble.setAttribute('aria-expanded', String(st.isOpen));
    badge.textContent = st.unread > 99 ? '99+' : String(st.unread);
    badge.hidden = !st.unread;
  }

  function fullScreen() {
    return !!(window.matchMedia && window.matchMedia(FULL_SCREEN).matches);
  }
  /** The host page inert under a full-screen open panel, and live again as soon as it is not. */
  function cover() {
    var on = st.isOpen && fullScreen();
    if (on && !covered.length) {
      Array.prototype.forEach.call(document.body.children, function (el) {
        if (el === panel || el === bubble || el.inert) return;
        el.inert = true;
        covered.push(el);
      });
    } else if (!on && covered.length) {
      covered.forEach(function (el) { el.inert = false; });
      covered = [];
    }
  }

  function mount() {
    if (frame) return;
    var url = new URL('chat/', src);
    var q = { embed: '1', host: location.origin, entry: st.entry };
    if (st.hostLang) q.lang = st.lang;
    url.search = new URLSearchParams(q).toString();
    frame = el('iframe', 'infocig-frame');
    frame.title = txt('title');
    frame.lang = st.lang;
    frame.src = url.href;
    frame.setAttribute('allow', 'clipboard-write');
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.style.height = '100%';
    panel.appendChild(frame);
  }

  function draw() {
    if (bubble) return;
    var link = el('link');
    link.rel = 'stylesheet';
    link.href = new URL('loader.css', src).href;
    document.head.appendChild(link);

    panel = el('div', 'infocig-panel');
    panel.id = 'infocig-panel';
    panel.hidden = true;
    panel.style.position = 'fixed';
    panel.style.zIndex = '2147483000';

    bubble = el('button', 'infocig-bubble');
    bubble.type = 'button';
    bubble.setAttribute('aria-controls', panel.id);
    bubble.style.position = 'fixed';
    bubble.style.zIndex = '2147483001';
    bubble.style.right = bubble.style.bottom = '20px';
    bubble.appendChild(svg());
    badge = el('span', 'infocig-badge');
    badge.setAttribute('aria-hidden', 'true');
    bubble.appendChild(badge);
    bubble.addEventListener('click', function () { st.isOpen ? api.close() : api.open(); });
    document.body.appendChild(panel);
    document.body.appendChild(bubble);
    label();
    document.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && st.isOpen) api.close();
    });
    // A phone turned, a window resized or zoomed: the panel may start or stop filling the screen.
    if (window.matchMedia) {
      var mq = window.matchMedia(FULL_SCREEN);
      if (mq.addEventListener) mq.addEventListener('change', cover);
      else if (mq.addListener) mq.addListener(cover);
    }
    // A chat or a queue place still going from the previous page: reconnect now.
    if (stored('active')) mount();
    if (stored('open')) api.open(true);
    emit('ready', {});
  }

  window.addEventListener('message', function (e) {
    if (!frame || e.source !== frame.contentWindow || e.origin !== ORIGIN) return;
    var d = e.data;
    if (!d || d.infocig !== 1 || typeof d.type !== 'string') return;
    switch (d.type) {
      case 'ready':
        st.ready = true;
        post('init', { lang: st.hostLang ? st.lang : undefined, entry: st.entry, context: st.context, visible: st.isOpen });
        if (st.isOpen) post('focus', {});
        break;
      case 'token.request':
        var fn = tokenFn();
        Promise.resolve()
          .then(function () { if (!fn) throw new Error('no token callback'); return fn(); })
          .then(
            function (token) { post('token', { id: d.id, token: String(token || '') }); },
            function (err) { post('token', { id: d.id, error: String((err && err.message) || err) }); }
          );
        break;
      case 'minimize':
        api.close();
        break;
      case 'unread':
        st.unread = Math.max(0, Number(d.count) || 0);
        label();
        emit('unread', { count: st.unread });
        break;
      case 'session':
        store('active', d.active ? '1' : null);
        break;
      case 'lang':
        // The chat's language changed (its picker, the token's claim): the bubble's words follow.
        if (pick(d.lang)) {
          st.lang = pick(d.lang);
          frame.title = txt('title');
          frame.lang = st.lang;
          label();
        }
        break;
      case 'event':
        if (d.name === 'assigned' || d.name === 'queue' || d.name === 'ended') emit(d.name, d.detail || {});
        break;
    }
  });

  var api = {
    version: '1',
    init: function (o) {
      o = o || {};
      if (typeof o.getToken === 'function') st.getToken = o.getToken;
      if (o.entry) st.entry = String(o.entry);
      if (o.lang) api.setLanguage(o.lang);
      if (o.context) api.setContext(o.context);
      return api;
    },
    open: function (quiet) {
      draw();
      mount();
      if (st.isOpen) return;
      st.isOpen = true;
      panel.hidden = false;
      bubble.classList.add('infocig-open');
      store('open', '1');
      label();
      cover();
      post('visible', { visible: true });
      if (quiet !== true) {
        frame.focus();
        post('focus', {});
      }
      emit('opened', {});
    },
    close: function () {
      if (!st.isOpen) return;
      st.isOpen = false;
      panel.hidden = true;
      bubble.classList.remove('infocig-open');
      store('open', null);
      label();
      cover();
      post('visible', { visible: false });
      bubble.focus();
      emit('closed', {});
    },
    setContext: function (c) {
      var out = {};
      ['protocol', 'matricola', 'step'].forEach(function (k) {
        if (c && c[k] != null && c[k] !== '') out[k] = String(c[k]).slice(0, 200);
      });
      st.context = out;
      post('context', { context: out });
    },
    setLanguage: function (l) {
      st.lang = pick(l) || 'it';
      st.hostLang = true;
      if (frame) {
        frame.title = txt('title');
        frame.lang = st.lang;
      }
      if (bubble) label();
      post('lang', { lang: st.lang });
    },
    on: function (name, fn) {
      (listeners[name] = listeners[name] || []).push(fn);
      if (name === 'ready' && bubble) fn({});
      return function () {
        listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; });
      };
    },
  };
  window.InfoCig = api;

  if (document.body) draw();
  else document.addEventListener('DOMContentLoaded', draw);
})();
