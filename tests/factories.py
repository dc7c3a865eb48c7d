"""factory_boy factories for the SME Rank models."""

from __future__ import annotations

import random

import factory
from django.contrib.auth.models import User

from firms.models import Firm, FirmUser, FirmYear, Park, ParkManager, Province, Sector
from firms.national_id import legal_id_generate
from firms.roles import analysts_group

_ids = random.Random(7)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class ParkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Park

    code = factory.Sequence(lambda n: f"T-{n:03d}")
    name_fa = factory.Sequence(lambda n: f"شهرک صنعتی آزمون {n}")
    name_en = factory.Sequence(lambda n: f"Test Industrial Park {n}")
    province = factory.LazyFunction(lambda: Province.objects.get(code="IR-23"))


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    national_id = factory.LazyFunction(lambda: legal_id_generate(_ids))
    name_fa = factory.Sequence(lambda n: f"صنایع آزمون {n}")
    name_en = factory.Sequence(lambda n: f"Test Industries {n}")
    park = factory.SubFactory(ParkFactory)
    isic = factory.LazyFunction(lambda: Sector.objects.get(code="2511"))
    founded_year = 1385
    knowledge_based = False


class FirmYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmYear

    firm = factory.SubFactory(FirmFactory)
    year = 1403
    employees = 40
    sales = 200_000
    exports = 20_000
    export_countries = 3
    rd_spend = 2_000
    net_profit = 15_000
    total_assets = 180_000
    total_debt = 60_000
    certifications = "ISO9001"
    new_products = 1
    tech_level = 3


def analyst_create(username: str = "analyst") -> User:
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(analysts_group())
    return user


def park_manager_create(park: Park, username: str = "manager") -> User:
    user = UserFactory(username=username)
    ParkManager.objects.create(user=user, park=park)
    return user


def firm_user_create(firm: Firm, username: str = "firmuser") -> User:
    user = UserFactory(username=username)
    FirmUser.objects.create(user=user, firm=firm)
    return user
