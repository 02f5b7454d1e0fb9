import { describe, expect, it } from 'vitest';
import { parsePushEvents } from './events';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('registry push events', () => {
  it('reads the distribution envelope: manifest pushes only, with tag and digest', () => {
    const envelope = {
      events: [
        {
          id: 'e1',
          timestamp: '2026-11-30T10:00:00Z',
          action: 'push',
          target: {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 400,
            digest: D1,
            length: 400,
            repository: 'team/app',
            url: 'http://127.0.0.1:5000/v2/team/app/manifests/sha256:1',
            tag: 'v1',
          },
          request: { id: 'r', addr: '127.0.0.1:1', host: '127.0.0.1:5000', method: 'PUT', useragent: 'x' },
          actor: {},
          source: { addr: 'h:5000', instanceID: 'i' },
        },
        { id: 'e2', action: 'push', target: { mediaType: 'application/octet-stream', digest: D2, repository: 'team/app' } },
        {
          id: 'e3',
          action: 'pull',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D1, repository: 'team/app', tag: 'v1' },
        },
        { id: 'e4', action: 'push', target: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: D2, repository: 'team/app' } },
        {
          id: 'e5',
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D2, repository: 'Team/../app', tag: 'v1' },
        },
      ],
    };
    expect(parsePushEvents(envelope)).toEqual({
      kind: 'distribution',
      pushes: [
        { id: 'e1', repository: 'team/app', tag: 'v1', digest: D1 },
        { id: 'e4', repository: 'team/app', digest: D2 },
      ],
      ignored: 3,
    });
  });

  it('reads Harbor’s PUSH_ARTIFACT webhook in its Default payload, as documented', () => {
    const harbor = {
      type: 'PUSH_ARTIFACT',
      occur_at: 1586922308,
      operator: 'admin',
      event_data: {
        resources: [{ digest: D1, tag: 'latest', resource_url: 'harbor.example.com/library/nginx:latest' }],
        repository: { date_created: 1586922308, name: 'nginx', namespace: 'library', repo_full_name: 'library/nginx', repo_type: 'public' },
      },
    };
    expect(parsePushEvents(harbor)).toEqual({
      kind: 'harbor',
      pushes: [{ repository: 'library/nginx', tag: 'latest', digest: D1 }],
      ignored: 0,
    });
  });

  it('reads Harbor’s CloudEvents payload, where an image pushed by digest carries the digest as its tag', () => {
    const cloud = {
      specversion: '1.0',
      id: '66e18103-09c1-41f6-982f-37df223f3eeb',
      requestid: '51c0b694-0168-4f3c-b0db-282565455d7b',
      source: '/projects/2/webhook/policies/15',
      type: 'harbor.artifact.pushed',
      datacontenttype: 'application/json',
      time: '2023-04-03T06:04:46Z',
      data: {
        resources: [
          { digest: D2, tag: D2, resource_url: `localhost/harbor/alpine@${D2}` },
          { digest: D1, tag: 'stable', resource_url: 'localhost/harbor/alpine:stable' },
        ],
        repository: {
          date_created: 1680501893,
          name: 'alpine',
          namespace: 'harbor',
          repo_full_name: 'harbor/alpine',
          repo_type: 'private',
        },
      },
      operator: 'harbor-jobservice',
    };
    expect(parsePushEvents(cloud)).toEqual({
      kind: 'harbor-cloudevents',
      pushes: [
        { id: '66e18103-09c1-41f6-982f-37df223f3eeb#0', repository: 'harbor/alpine', digest: D2 },
        { id: '66e18103-09c1-41f6-982f-37df223f3eeb#1', repository: 'harbor/alpine', tag: 'stable', digest: D1 },
      ],
      ignored: 0,
    });
  });

  it('ignores other events and shapes', () => {
    expect(parsePushEvents({ type: 'PULL_ARTIFACT', event_data: {} })).toMatchObject({ kind: 'unknown' });
    expect(parsePushEvents({ specversion: '1.0', type: 'harbor.artifact.deleted', data: {} })).toMatchObject({ kind: 'unknown' });
    expect(parsePushEvents([1, 2])).toMatchObject({ kind: 'unknown' });
    expect(parsePushEvents({ type: 'PUSH_ARTIFACT', event_data: { resources: [{ tag: 'v1' }], repository: {} } })).toEqual({
      kind: 'harbor',
      pushes: [],
      ignored: 1,
    });
  });
});
