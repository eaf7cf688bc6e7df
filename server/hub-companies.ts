/**
 * This node's signed-in sockets by the companies they act for: matricola → the
 * sockets whose verified identity (from the hello) holds it, an employer its own,
 * an intermediary those it represents (`companyMatricole`). It is what lets a
 * change to a company's Linea INPS request reach those who see it through its
 * matricola (ticket-push.ts) without reading anybody's token again: a socket is
 * entered when it joins the hub and leaves with it (close, token expiry), so the
 * index never holds more than the sockets that exist, times the matricole of
 * their tokens. It only finds candidates: who is actually sent a frame is for
 * the caller to decide (for tickets, `mayView`).
 */
import type { Client } from './client.ts';
import { companyMatricole } from './ticket-rules.ts';

export class CompanySockets {
  private readonly byMatricola = new Map<string, Set<Client>>();

  add(client: Client): void {
    for (const matricola of new Set(companyMatricole(client.identity))) {
      const here = this.byMatricola.get(matricola);
      if (here) here.add(client);
      else this.byMatricola.set(matricola, new Set([client]));
    }
  }

  remove(client: Client): void {
    for (const matricola of new Set(companyMatricole(client.identity))) {
      const here = this.byMatricola.get(matricola);
      if (!here?.delete(client) || here.size > 0) continue;
      this.byMatricola.delete(matricola);
    }
  }

  holding(matricola: string): Iterable<Client> {
    return this.byMatricola.get(matricola) ?? [];
  }

  has(matricola: string): boolean {
    return this.byMatricola.has(matricola);
  }
}
