"""The Dailymotion sandbox: a stateful, local Dailymotion (as Stripe's test mode or LocalStack).

Mounted at /sandbox/ only when SANDBOX_ENABLED; its state lives in the "sandbox" database alias.

What it emulates
- Seed (`sandbox_reset()`, deterministic): API key sandbox-client-id / sandbox-client-secret with
  the `can-adopt-users` role, a second key sandbox-norole-id / sandbox-norole-secret without it;
  parent x0mcn01 mcn-network / network-pass; 36 creators x1cr001..x1cr036, creator01..creator36 /
  pass-creator01..; creator31-33 already children of the parent, creator34 child of another
  network (x0oth01), creator36 with revenues unavailable (always null).
- OAuth 2.0: /sandbox/oauth/authorize (consent page: pick an account or type username+password,
  untick scopes, Accept or Refuse → `error=access_denied`, `state` returned untouched; unknown
  client_id or a non-http(s) redirect_uri get an error page, not a redirect);
  /sandbox/oauth/token with authorization_code (single-use, 10 min, redirect_uri must match),
  password and refresh_token grants; refresh tokens rotate (a used one → invalid_grant);
  client_credentials → unsupported_grant_type; client auth by form fields or HTTP Basic;
  expires_in 36000 s by default (configurable on the page); errors as {"error","error_description"}.
- REST API under /sandbox/api: GET /me, /auth, /logout, /user/<id>, /users?ids=…(≤100)|parent=…,
  /user/<id>/children, /me/children, /user/<id>/parents[/<pid>], /me/parents[/<pid>],
  POST /me/parents/<pid> (adoption: child's token, key with can-adopt-users, scope
  delegate_account_management; target must be a parent; idempotent), DELETE /me/children/<id>
  (parent's token, key with the role; 404 if not its child), POST /user/<id>/videos and
  /me/videos (own or parent's token; url, title, channel required; 15 per rolling 24 h),
  GET /user/<id>/videos, /video/<id>. Bearer (or legacy "OAuth") header or access_token param.
- Dailymotion's list envelope (page, limit, explicit, total, has_more, list); `fields` selection
  (unknown field → 400); limit 1..100 (else 400); page x limit ≤ 1000 (else 400); has_more is
  false at the 1000-result cap; children filters created_after (inclusive) / created_before
  (exclusive) in Unix seconds, sort=recent (default) | old.
- Legacy error bodies {"error": {"code", "message", "type"}}; 401 with
  `WWW-Authenticate: Bearer error="invalid_token", error_description=…` for a missing, unknown,
  expired or revoked token.
- Revenues: the 16 revenues_{video,website,claim,paidcontent}_{last_day,last_week,last_month,total}
  fields in USD with 2 decimals, given to the parent's token for its children and to the account's
  own token with read_insights, null otherwise. "Advance N days" adds deterministic daily earnings;
  last_day = yesterday, last_week = 7 days, last_month = 30 sliding days.
- Faults, from the page or code: the next N calls under a path answer 429 (Retry-After) or 5xx,
  added latency, expired tokens, a refused adoption (403), reset to the seed.
- The ingestion crawler (`manage.py sandbox_crawl`, "Crawl now"): fetches the portal's user list
  and MRSS feeds over HTTP, imports each new guid as a video, POSTs injector.item.ready / .failed
  callbacks (a chosen share fails) per feed; an item already imported is not imported again.

What it does not emulate
- Real video files: nothing is downloaded, encoded or played; /file/upload does not exist.
- API v2, client_credentials and private keys, the Reporting (GraphQL) API, webhooks.
- Dailymotion's real rate limits (only injected 429s), real error type names beyond those above,
  emails sent on adoption, scopes other than on /me email and revenue fields, the `limits` field,
  dot-notation fields, search and most filters, multi-parent accounts, account deletion.
- Exact production behaviours the public docs leave open (refresh rotation, boundary inclusivity
  of created_after/before, has_more at the cap): the sandbox picks the strict reading above.
"""
