/**
 * Options for every fetch to Slack's and Anthropic's APIs. Unless a request says it follows no
 * redirect (and has no window), Node's fetch copies its body for a redirect that might have to
 * resend it: a tee of the body's stream, kept until the response ends. Neither API redirects,
 * and a streamed answer kept two copies of its request, and their streams, for as long as it
 * streamed.
 */
export const NO_REDIRECTS = { redirect: 'error', window: null } as const satisfies RequestInit;
