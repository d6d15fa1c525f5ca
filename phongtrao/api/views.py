"""Pages where a signed-in user manages their own API tokens: list, create (the key is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from phongtrao.api.actions import do_create_token, do_revoke_token
from phongtrao.api.forms import TokenForm
from phongtrao.api.models import ApiToken
from phongtrao.audit.actions import Actor


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.of_user(request.user)
    return render(request, "api/tokens.html", {"tokens": tokens, "form": TokenForm()})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    """On success the page shows the key once; it is not stored, so it cannot be shown again."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, key = do_create_token(Actor.of_request(request), request.user, name=form.cleaned_data["name"])  # type: ignore[arg-type]
        return render(request, "api/token_created.html", {"token": token, "key": key})
    return render(request, "api/tokens.html", {"tokens": ApiToken.objects.of_user(request.user), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: str) -> HttpResponse:
    """Confirmation page (GET), then revoke (POST). Another user's token is a 404."""
    token = get_object_or_404(ApiToken.objects.of_user(request.user), pk=int(pk))
    if request.method == "POST":
        do_revoke_token(Actor.of_request(request), token.pk)
        messages.success(request, gettext("Đã thu hồi khoá %(name)s.") % {"name": token.name})
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
