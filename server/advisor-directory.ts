/**
 * Who an advisor is to the router: skills and capacity. The staff directory in the
 * database wins; an advisor not listed there is described by their token's claims.
 */
import type { AdvisorProfile, AdvisorSkills } from '../routing/routing-state.ts';
import { AUDIENCES, TOPICS, type Audience, type Topic } from '../routing/types.ts';
import type { Identity } from './auth.ts';

export interface AdvisorDirectory {
  profileOf(identity: Identity): Promise<AdvisorProfile>;
}

/**
 * Token skills are short tags: an audience (`worker`), a topic (`cigo`),
 * `lang:en`, `province:MI`, `region:Lombardia`. No tags at all: serves everyone.
 */
export function skillsFromTags(tags: string[]): AdvisorSkills {
  const skills: AdvisorSkills = { audiences: [], topics: [], languages: [], provinces: [], regions: [] };
  for (const tag of tags) {
    const [kind, value] = tag.includes(':') ? (tag.split(':', 2) as [string, string]) : ['', tag];
    if (kind === 'lang') skills.languages.push(value);
    else if (kind === 'province') skills.provinces.push(value.toUpperCase());
    else if (kind === 'region') skills.regions.push(value);
    else if ((AUDIENCES as readonly string[]).includes(value)) skills.audiences.push(value as Audience);
    else if ((TOPICS as readonly string[]).includes(value)) skills.topics.push(value as Topic);
  }
  return skills;
}

export function tokenDirectory(defaultCapacity: number): AdvisorDirectory {
  return {
    async profileOf(identity) {
      return { id: identity.sub, name: identity.name, capacity: defaultCapacity, skills: skillsFromTags(identity.skills) };
    },
  };
}
