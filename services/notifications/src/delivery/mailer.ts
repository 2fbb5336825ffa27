/**
 * Outgoing mail over SMTP (nodemailer). Without `SMTP_URL` there is no transport: the mail
 * worker keeps messages in the `emails` table, which admins read as the dev mailbox.
 */
import { createTransport } from 'nodemailer';
import { escapeHtml } from '../domain/user-text.ts';

/**
 * The HTML alternative of a message: its text, every character HTML-escaped, one paragraph per
 * line. Messages quote text users wrote (task titles, names); escaping all of it means none of
 * it can become markup, a link or a script in the recipient's mail client.
 */
export function mailHtml(text: string): string {
  const paragraphs = text.split(/\r?\n/).map((line) => `<p>${escapeHtml(line)}</p>`);
  return `<!doctype html><html><body>${paragraphs.join('')}</body></html>`;
}

export interface Mailer {
  send(msg: { to: string; subject: string; text: string }): Promise<{ messageId: string | null }>;
  close(): void;
}

export function smtpMailer(url: string, from: string, timeoutMs = 15_000): Mailer {
  const transport = createTransport(url, { from });
  // Timeouts so a hung server fails the attempt instead of holding the worker.
  const opts = transport.options as {
    connectionTimeout?: number;
    greetingTimeout?: number;
    socketTimeout?: number;
  };
  opts.connectionTimeout ??= timeoutMs;
  opts.greetingTimeout ??= timeoutMs;
  opts.socketTimeout ??= timeoutMs;
  return {
    async send(msg) {
      const info = (await transport.sendMail({
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        html: mailHtml(msg.text),
      })) as {
        messageId?: string;
      };
      return { messageId: info.messageId ?? null };
    },
    close: () => transport.close(),
  };
}
