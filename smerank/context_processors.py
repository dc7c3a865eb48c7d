from django.http import HttpRequest

from firms.roles import user_role


def role(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's role, for menus."""
    return {"role": user_role(request.user)}
