// The pages a visitor sees: landing, waiting, ended, unknown, closed.
import type { PoolCounts } from '../pool.js';
import { esc, page } from './layout.js';

export function landingPage(c: PoolCounts): string {
  const free = c.warm;
  const note = c.draining
    ? 'This service is not starting new notebooks right now.'
    : free > 0
      ? `${free} notebook${free === 1 ? ' is' : 's are'} ready and waiting.`
      : 'All notebooks are in use: you will get a place in line and the next free one.';
  return page(
    'Start my notebook',
    `<div class="card"><h1>Your own notebook, one click away</h1>
<p>You get a private Jupyter notebook server with the workshop's material, for as long as you use it.
Nobody else can see it; it is removed after a while without use.</p>
<form method="post" action="/spawn"><p><button type="submit" id="start" ${c.draining ? 'disabled' : ''}>Start my notebook</button></p></form>
<p class="muted">${esc(note)}</p></div>`,
  );
}

export function waitingPage(ticket: string, position: number): string {
  return page(
    'Waiting for a notebook',
    `<div class="card"><h1>All notebooks are in use</h1>
<p>You are in line. This page moves on by itself as soon as a notebook is free — keep it open.</p>
<p class="muted">Your place in line</p><p class="big" id="position">${position}</p>
<p class="muted" id="note">Checking every second…</p></div>
<noscript><meta http-equiv="refresh" content="3"></noscript>
<script>
(function poll(){
  fetch('/api/wait/${esc(ticket)}',{cache:'no-store'}).then(function(r){return r.json()}).then(function(j){
    if(j.url){document.getElementById('note').textContent='Your notebook is ready — opening it…';location.href=j.url;return}
    if(j.gone){location.href='/';return}
    document.getElementById('position').textContent=j.position;setTimeout(poll,1000);
  }).catch(function(){setTimeout(poll,2000)});
})();
</script>`,
  );
}

const REASONS: Record<string, string> = {
  idle: 'it was not used for a while',
  'max-age': 'it reached the maximum time a notebook may run',
  admin: 'the organisers closed it',
  exited: 'its notebook server stopped',
  drain: 'the service is closing',
  lost: 'the machine it ran on stopped or left the service',
};

export function endedPage(reason: string, minutes?: number): string {
  return page(
    'Notebook ended',
    `<div class="card"><h1>This notebook has ended</h1>
<p>Your notebook was removed because ${esc(REASONS[reason] ?? reason)}${minutes ? ` (after about ${minutes} min)` : ''}.
Its files are gone with it; download your work while a notebook is open to keep it.</p>
<form method="post" action="/spawn"><p><button type="submit">Start a new notebook</button></p></form></div>`,
  );
}

export function unknownPage(): string {
  return page(
    'No such notebook',
    `<div class="card"><h1>No notebook here</h1>
<p>This address does not belong to a running notebook. It may have ended, or the link is incomplete.</p>
<p><a class="button" href="/">Start a new notebook</a></p></div>`,
  );
}

export function closedPage(): string {
  return page('Not accepting visitors', `<div class="card"><h1>Not starting new notebooks</h1><p>The organisers have paused this service. Notebooks already open keep working.</p></div>`);
}

export function unreachablePage(): string {
  return page(
    'Notebook not answering',
    `<div class="card"><h1>Your notebook is not answering</h1><p>It may be very busy or restarting. Try again in a few seconds.</p>
<p><a class="button" href="javascript:location.reload()">Try again</a></p></div>`,
  );
}

export function fullPage(): string {
  return page(
    'Full',
    `<div class="card"><h1>Full — try again in a few minutes</h1>
<p>Every notebook is in use and the waiting line is full. Notebooks free up as people finish; please try again in a few minutes.</p>
<p><a class="button" href="/">Back</a></p></div>`,
  );
}

export function refusedPage(title: string, text: string): string {
  return page(title, `<div class="card"><h1>${esc(title)}</h1><p>${esc(text)}</p><p><a class="button" href="/">Back</a></p></div>`);
}
