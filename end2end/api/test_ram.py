"""The RAM-compatible endpoint through the tools people already run: boto3's `ram` client
and the AWS CLI, unchanged, pointed at a Backshare server (BACKSHARE_URL) with access keys
created the way a user creates them (signed in, "Create access key").

Run by scripts/api-test.sh, which starts the server; exits non-zero on the first failure.
"""

import http.cookiejar
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import boto3
import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

BASE = os.environ["BACKSHARE_URL"]
PASSWORD = "backshare-demo"
HQ, EAST, PARTNER = "1840000000000001", "1840000000000002", "1840000000000003"
REGION = "ap-southeast-1"
ORDERS_ARN = f"arn:aws:backshare:{REGION}:{HQ}:backup/cb-acmehq-orders-001"
SECOND_ARN = f"arn:aws:backshare:{REGION}:{HQ}:backup/cb-acmehq-orders-003"
RUN = hex(int(time.time() * 1000))[2:]


def create_key(email):
    """Signs in through the form's server function and creates an access key."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    opener.open(urllib.request.Request(f"{BASE}/api/sign_in", data=form, headers={"Accept": "application/json"}))
    answer = opener.open(urllib.request.Request(f"{BASE}/api/create_access_key", data=b"", headers={"Accept": "application/json"}))
    key = json.load(answer)
    assert key["id"].startswith("BKSH") and len(key["secret"]) == 40, key["id"]
    return key


def client(key, region=REGION, secret=None):
    return boto3.client(
        "ram",
        endpoint_url=f"{BASE}/ram",
        region_name=region,
        aws_access_key_id=key["id"],
        aws_secret_access_key=secret or key["secret"],
        config=Config(retries={"max_attempts": 1}),
    )


def native(key, function, form=""):
    """Calls a server function of the native API, signed with SigV4 (service `backshare`)."""
    request = AWSRequest(method="POST", url=f"{BASE}/api/{function}", data=form,
                         headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    SigV4Auth(Credentials(key["id"], key["secret"]), "backshare", REGION).add_auth(request)
    prepared = request.prepare()
    answer = urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body.encode() if isinstance(prepared.body, str) else prepared.body, headers=dict(prepared.headers), method="POST"))
    return json.load(answer)


def refused(code, call, *args, **kwargs):
    """The call fails with the modelled exception `code`; returns its message."""
    try:
        call(*args, **kwargs)
    except botocore.exceptions.ClientError as error:
        got = error.response["Error"]["Code"]
        assert got == code, f"expected {code}, got {got}: {error}"
        return error.response["Error"]["Message"]
    raise AssertionError(f"expected {code}, the call succeeded")


def invitation_of(ram, share_arn):
    found = [i for i in ram.get_resource_share_invitations()["resourceShareInvitations"] if i["resourceShareArn"] == share_arn]
    return found[0] if found else None


def main():
    alice, bob, vic, carol = (create_key(e) for e in ["alice@acme.example", "bob@acme-east.example", "vic@acme.example", "carol@partner.example"])
    owner, recipient, viewer = client(alice), client(bob), client(vic)
    stranger = client(carol, region="eu-west-1")

    # Create: the share, with its ARN in the six-part shape.
    share = owner.create_resource_share(name=f"api-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST], clientToken="t1")["resourceShare"]
    share_arn = share["resourceShareArn"]
    assert share_arn.startswith(f"arn:aws:ram:{REGION}:{HQ}:resource-share/"), share_arn
    assert share["status"] == "ACTIVE" and share["owningAccountId"] == HQ and share["allowExternalPrincipals"]
    print("create:", share_arn)

    # Idempotency: the same request with the same clientToken answers as the first did and
    # makes nothing new; another request with that token is refused.
    again = owner.create_resource_share(name=f"api-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST], clientToken="t1")
    assert again["resourceShare"]["resourceShareArn"] == share_arn and again["clientToken"] == "t1", again
    refused("IdempotentParameterMismatchException", owner.create_resource_share, name=f"other-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST], clientToken="t1")
    assert [s["name"] for s in owner.get_resource_shares(resourceOwner="SELF", name=f"other-{RUN}")["resourceShares"]] == []

    # Invite: Bob sees it pending, and what it holds before answering.
    invitation = invitation_of(recipient, share_arn)
    assert invitation and invitation["status"] == "PENDING" and invitation["senderAccountId"] == HQ, invitation
    invitation_arn = invitation["resourceShareInvitationArn"]
    pending = recipient.list_pending_invitation_resources(resourceShareInvitationArn=invitation_arn)["resources"]
    assert [r["arn"] for r in pending] == [ORDERS_ARN] and pending[0]["status"] == "AVAILABLE", pending
    associations = owner.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"]
    assert [(a["associatedEntity"], a["status"]) for a in associations] == [(EAST, "ASSOCIATING")], associations

    # Another tenant sees none of it and can touch none of it.
    assert invitation_of(stranger, share_arn) is None
    assert share_arn not in [s["resourceShareArn"] for s in stranger.get_resource_shares(resourceOwner="SELF")["resourceShares"]]
    assert share_arn not in [s["resourceShareArn"] for s in stranger.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]]
    refused("ResourceShareInvitationArnNotFoundException", stranger.accept_resource_share_invitation, resourceShareInvitationArn=invitation_arn)
    refused("UnknownResourceException", stranger.associate_resource_share, resourceShareArn=share_arn, principals=[PARTNER])
    refused("ResourceShareInvitationArnNotFoundException", stranger.list_pending_invitation_resources, resourceShareInvitationArn=invitation_arn)

    # The viewer reads and changes nothing; the owner cannot answer for the recipient.
    assert share_arn in [s["resourceShareArn"] for s in viewer.get_resource_shares(resourceOwner="SELF")["resourceShares"]]
    message = refused("OperationNotPermittedException", viewer.create_resource_share, name=f"viewer-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST])
    assert "view" in message.lower(), message
    refused("OperationNotPermittedException", owner.accept_resource_share_invitation, resourceShareInvitationArn=invitation_arn)

    # Accept, and accept again: the modelled error with the console's sentence.
    accepted = recipient.accept_resource_share_invitation(resourceShareInvitationArn=invitation_arn, clientToken="t2")
    assert accepted["resourceShareInvitation"]["status"] == "ACCEPTED" and accepted["clientToken"] == "t2"
    refused("ResourceShareInvitationAlreadyAcceptedException", recipient.accept_resource_share_invitation, resourceShareInvitationArn=invitation_arn)
    retried = recipient.accept_resource_share_invitation(resourceShareInvitationArn=invitation_arn, clientToken="t2")
    assert retried["resourceShareInvitation"]["status"] == "ACCEPTED", retried  # the retry's answer is the first's
    print("accept: ACCEPTED; again: ResourceShareInvitationAlreadyAcceptedException")

    # List: the share and its backup on both sides, and the association now ASSOCIATED.
    received = recipient.list_resources(resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[share_arn])["resources"]
    assert [(r["arn"], r["status"], r["type"]) for r in received] == [(ORDERS_ARN, "AVAILABLE", "backshare:Backup")], received
    assert share_arn in [s["resourceShareArn"] for s in recipient.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]]
    shared = owner.list_resources(resourceOwner="SELF", resourceShareArns=[share_arn])["resources"]
    assert [r["arn"] for r in shared] == [ORDERS_ARN], shared
    principals = owner.list_principals(resourceOwner="SELF", resourceShareArns=[share_arn])["principals"]
    assert [p["id"] for p in principals] == [EAST], principals
    owners = recipient.list_principals(resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[share_arn])["principals"]
    assert [p["id"] for p in owners] == [HQ], owners
    associations = owner.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"]
    assert [a["status"] for a in associations] == ["ASSOCIATED"], associations

    # Associate a second backup; by name and ARN the share is found.
    owner.associate_resource_share(resourceShareArn=share_arn, resourceArns=[SECOND_ARN])
    resources = owner.get_resource_share_associations(associationType="RESOURCE", resourceShareArns=[share_arn])["resourceShareAssociations"]
    assert sorted(a["associatedEntity"] for a in resources) == sorted([ORDERS_ARN, SECOND_ARN]), resources
    by_name = owner.get_resource_shares(resourceOwner="SELF", name=f"api-{RUN}")["resourceShares"]
    assert [s["resourceShareArn"] for s in by_name] == [share_arn], by_name

    # Disassociate: Bob's access starts revoking.
    gone = owner.disassociate_resource_share(resourceShareArn=share_arn, principals=[EAST])["resourceShareAssociations"]
    assert [(a["associatedEntity"], a["status"]) for a in gone] == [(EAST, "DISASSOCIATING")], gone
    associations = owner.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[share_arn])["resourceShareAssociations"]
    assert [a["status"] for a in associations] == ["DISASSOCIATING"], associations
    refused("UnknownResourceException", owner.disassociate_resource_share, resourceShareArn=share_arn, principals=[PARTNER])
    print("disassociate: DISASSOCIATING")

    # Reject, and reject again.
    second = owner.create_resource_share(name=f"api-reject-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST])["resourceShare"]["resourceShareArn"]
    to_reject = invitation_of(recipient, second)["resourceShareInvitationArn"]
    assert recipient.reject_resource_share_invitation(resourceShareInvitationArn=to_reject)["resourceShareInvitation"]["status"] == "REJECTED"
    refused("ResourceShareInvitationAlreadyRejectedException", recipient.reject_resource_share_invitation, resourceShareInvitationArn=to_reject)
    refused("ResourceShareInvitationAlreadyRejectedException", recipient.accept_resource_share_invitation, resourceShareInvitationArn=to_reject)
    associations = owner.get_resource_share_associations(associationType="PRINCIPAL", resourceShareArns=[second])["resourceShareAssociations"]
    assert [a["status"] for a in associations] == ["FAILED"], associations
    print("reject: REJECTED; again: ResourceShareInvitationAlreadyRejectedException")

    # The rules hold as in the console: a cluster backup cannot go to a project of another region.
    refused("MalformedArnException", owner.create_resource_share, name=f"bad-{RUN}", resourceArns=["cb-acmehq-orders-001"], principals=[EAST])
    refused("InvalidParameterException", owner.create_resource_share, name=f"tags-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST], tags=[{"key": "a", "value": "b"}])
    refused("InvalidParameterException", owner.create_resource_share, name=f"api-{RUN}", resourceArns=[ORDERS_ARN], principals=[EAST])

    # Paging: botocore's paginator walks every page of one row and sees each share once.
    pages = owner.get_paginator("get_resource_shares").paginate(resourceOwner="SELF", PaginationConfig={"PageSize": 1})
    seen = [s["resourceShareArn"] for page in pages for s in page["resourceShares"]]
    assert len(seen) == len(set(seen)) and {share_arn, second} <= set(seen), seen
    refused("InvalidNextTokenException", owner.get_resource_shares, resourceOwner="SELF", nextToken="older.x")
    refused("InvalidMaxResultsException", owner.get_resource_share_invitations, maxResults=501)

    # Delete: only the owner's admin may; the share then leaves the lists and is unknown.
    refused("OperationNotPermittedException", viewer.delete_resource_share, resourceShareArn=second)
    refused("UnknownResourceException", stranger.delete_resource_share, resourceShareArn=second)
    deleted = owner.delete_resource_share(resourceShareArn=second, clientToken="t3")
    assert deleted["returnValue"] is True and deleted["clientToken"] == "t3", deleted
    assert second not in [s["resourceShareArn"] for s in owner.get_resource_shares(resourceOwner="SELF")["resourceShares"]]
    refused("UnknownResourceException", owner.delete_resource_share, resourceShareArn=second)
    refused("UnknownResourceException", owner.associate_resource_share, resourceShareArn=second, principals=[EAST])
    print("delete: returnValue true; again: UnknownResourceException")

    # Signatures: a wrong secret, an unknown key, a region the account has no project in.
    refused("InvalidSignatureException", client(alice, secret="x" * 40).get_resource_shares, resourceOwner="SELF")
    refused("UnrecognizedClientException", client({"id": "BKSH0000000000000000", "secret": "y" * 40}).get_resource_shares, resourceOwner="SELF")
    refused("OperationNotPermittedException", client(alice, region="us-east-1").get_resource_shares, resourceOwner="SELF")

    # The native API with plain signed requests: a restore, then its result.
    restore_id = native(alice, "restore_backup", "backup_id=cb-acmehq-orders-001")
    deadline = time.time() + 60
    while True:
        restores = native(alice, "restores")["restores"]
        mine = [r for r in restores if r["id"] == restore_id]
        assert mine, restores
        if mine[0]["status"] in ("Done", "Failed") or time.time() > deadline:
            break
        time.sleep(0.2)
    assert mine[0]["status"] == "Done" and mine[0]["sha256"], mine[0]
    print("native API: restore", restore_id, mine[0]["status"])

    # The AWS CLI, unchanged.
    env = dict(os.environ, AWS_ACCESS_KEY_ID=bob["id"], AWS_SECRET_ACCESS_KEY=bob["secret"], AWS_DEFAULT_REGION=REGION)
    env.pop("AWS_PROFILE", None)
    cli = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "aws"), "--endpoint-url", f"{BASE}/ram", "ram", "get-resource-share-invitations", "--output", "json"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert cli.returncode == 0, cli.stderr
    listed = json.loads(cli.stdout)["resourceShareInvitations"]
    assert invitation_arn in [i["resourceShareInvitationArn"] for i in listed], cli.stdout[:500]
    print(f"aws ram get-resource-share-invitations: {len(listed)} invitations")
    print("ram api: all checks passed")


if __name__ == "__main__":
    main()
