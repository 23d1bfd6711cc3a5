// The frame of every page: plain HTML and one small stylesheet, no frameworks.
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f6fa}
header{background:#1d2330;color:#fff;padding:.8rem 1.5rem;font-weight:600;letter-spacing:.02em}
header span{color:#f5a524}
main{max-width:46rem;margin:3rem auto;padding:0 1.5rem}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(20,30,60,.08);padding:2rem 2.2rem}
h1{font-size:1.6rem;margin:0 0 .6rem}
p{margin:.6rem 0}
.muted{color:#5b6478;font-size:.93rem}
button,.button{display:inline-block;background:#f5a524;color:#1d2330;border:0;border-radius:8px;padding:.8rem 1.6rem;font:600 1.05rem system-ui,sans-serif;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#ffb940}
button.small{padding:.35rem .8rem;font-size:.85rem}
.big{font-size:3rem;font-weight:700;margin:.2rem 0}
.stats{display:flex;gap:1rem;flex-wrap:wrap;margin:1rem 0}
.stat{background:#fff;border-radius:10px;padding:.8rem 1.2rem;box-shadow:0 1px 6px rgba(20,30,60,.07);min-width:7rem}
.stat b{display:block;font-size:1.6rem}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:10px;overflow:hidden;font-size:.9rem}
th,td{text-align:left;padding:.5rem .7rem;border-bottom:1px solid #e8ebf1}
th{background:#eef1f6;font-weight:600}
code{font:.85rem ui-monospace,monospace}
.bar{height:8px;background:#e8ebf1;border-radius:4px;overflow:hidden;margin:.8rem 0}
.bar i{display:block;height:100%;background:#f5a524}
form.inline{display:inline}
input{font:inherit;padding:.4rem .6rem;border:1px solid #c9cfdb;border-radius:6px}
`;

export function page(title: string, body: string, opts: { head?: string; wide?: boolean } = {}): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}${opts.wide ? 'main{max-width:72rem}' : ''}</style>${opts.head ?? ''}</head>
<body><header>transferctl <span>serve</span></header><main>${body}</main></body></html>`;
}
